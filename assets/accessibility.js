// Accessibility and layout repairs for what the theme and its extensions render, run on every page.
// Each repair says what axe-core (WCAG 2.1 A/AA) or a reader found wrong without it.
(function () {
  const visibleText = element => element.innerText.replace(/\s+/g, " ").trim();

  function repair() {
    // label-content-name-mismatch: the search button reads "Search Ctrl+K" but is named "Search", and
    // sphinx-togglebutton names "Show code cell source" "Toggle hidden content". A speech-input user
    // says what they see, so the name must contain the visible words: let them name the button.
    // myst-nb's "Show code cell source" <summary> is named "Toggle hidden content" the same way.
    document.querySelectorAll(".search-button-field[aria-label], button.toggle-button[aria-label], summary[aria-label]")
      .forEach(button => { if (visibleText(button)) button.removeAttribute("aria-label"); });
    // The colour-mode button shows only icons, titled "Light", "Dark", "System Settings" (Font Awesome
    // turns each title into an SVG <title>): text inside the button that its name "Color mode" lacks.
    // The icons are decoration; the button's name and tooltip say what it does.
    document.querySelectorAll(".theme-switch-button .theme-switch").forEach(icon => {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("title");
      icon.removeAttribute("aria-labelledby");
      icon.removeAttribute("role");
      icon.querySelectorAll("title").forEach(title => title.remove());
    });
    // summary-name: a chapter with further pages (chapter 9) gets a disclosure triangle in the navigation,
    // a <summary> holding only an icon, so a screen reader announces a nameless control on every page.
    document.querySelectorAll("nav li.has-children > details > summary").forEach(summary => {
      const link = summary.closest("li").querySelector(":scope > a");
      if (!visibleText(summary) && link) summary.setAttribute("aria-label", `Pages of ${visibleText(link)}`);
    });
    // aria-required-children: the bibliography is a role="list" whose entries carry the deprecated
    // role doc-biblioentry, so assistive technology sees a list without items.
    document.querySelectorAll('.citation-list[role="list"] > [role="doc-biblioentry"]')
      .forEach(entry => entry.setAttribute("role", "listitem"));
  }

  // An inline formula wider than its line cannot wrap: mark it so book.css lets it scroll in place
  // instead of running off a phone's screen.
  function markWideInlineMath() {
    document.querySelectorAll('mjx-container[jax="CHTML"]:not([display="true"])').forEach(math => {
      math.classList.remove("rnnbook-wide-inline");
      const line = math.closest("p, li, dd, td, th, div") || math.parentElement;
      if (math.getBoundingClientRect().width > line.clientWidth) math.classList.add("rnnbook-wide-inline");
    });
  }

  function start() {
    repair();
    // sphinx-togglebutton adds its buttons on DOMContentLoaded too: repair again once everything is in.
    window.addEventListener("load", repair);
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(markWideInlineMath);
    } else {
      window.addEventListener("load", () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
          MathJax.startup.promise.then(markWideInlineMath);
        }
      });
    }
    let pending = null;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(markWideInlineMath, 200);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
