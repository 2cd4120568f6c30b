"""The rendered book, opened in headless Chromium the way a reader opens it, on a laptop and on a phone.

Builds the book with `make book` (warnings are errors; the execution cache makes a rebuild cheap), serves
`_build/html` on localhost and checks every page at 1280×800 and 390×844:

- it works offline: nothing is asked of another host, no request fails, no console error, no broken link;
- it reads like a book: math typeset, figures loaded, no error output, no code or output block that
  scrolls sideways at 1280 px, no equation cut off (at 390 px a long one scrolls in its own box), figures
  legible on a phone, the page and its images under 5 MB;
- it is accessible: axe-core (served by the book) finds no serious or critical WCAG 2.1 A/AA violation,
  in light and in dark mode; every figure has alt text written for it; output tables have header cells;
- its explorers respond: every control, moved with no kernel behind the page, changes the figure, and the
  figure shown for a setting is the one the chapter's Python function draws for it.

Full-page screenshots of every page at both widths (and in dark mode) are kept in `_build/screenshots/`.
Run as a script (`python tests/test_browser.py [html_dir]`) it prints the counts over every page instead.
"""
import base64
import functools
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from _helpers import toc_pages

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own background services (updates, safe browsing, sync) would otherwise try the network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-domain-reliability", "--metrics-recording-only",
                  "--no-default-browser-check", "--disable-features=Translate,OptimizationHints,MediaRouter"]
# A laptop without chromium skips this test (the Makefile says how to install it); CI must not.
CI = os.environ.get("CI") == "true"
pytestmark = pytest.mark.browser
if not Path(CHROMIUM).exists() and not CI and __name__ != "__main__":
    pytest.skip("chromium is missing, so the browser test is skipped; install it with "
                "`sudo apt-get install chromium` (under CI=true it is required)", allow_module_level=True)
LAYOUTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PAGE_BUDGET = 5_000_000           # bytes: a chapter page with its images
LEGIBLE_SCALE = 0.55              # a figure shown at less than this share of its drawn size is unreadable
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Alt text that only names a file, or says nothing about the figure.
USELESS_ALT = re.compile(r"(^$|\.(png|jpe?g|svg|gif)$|^_images/|^(figure|image|plot|output|chart)\.?$)", re.I)


PAGES = toc_pages()
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]


def _explorer_cells():
    """(chapter, index of the cell that calls explorer.show) for every explorer in the chapters."""
    found = []
    for chapter in CHAPTERS:
        cells = json.loads((ROOT / f"{chapter}.ipynb").read_text())["cells"]
        found += [(chapter, i) for i, cell in enumerate(cells)
                  if cell["cell_type"] == "code" and "explorer.show(" in "".join(cell["source"])]
    return found


EXPLORERS = _explorer_cells()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def site():
    subprocess.run(["make", "book"], cwd=ROOT, check=True)
    server, url = serve(HTML)
    yield url
    server.shutdown()


def launch(playwright):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing, and CI=true requires the browser test: `make test` installs "
                    "Debian's chromium package when run as root")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = launch(pw)
        yield browser
        browser.close()


def open_page(browser, site, page_name, layout="laptop", color_scheme="light"):
    """Open a page as a reader would and wait until its math, fonts and images are in place.

    Returns (page, record): record lists requests to other hosts, failed requests, console errors and
    uncaught JavaScript errors seen while the page loaded.
    """
    context = browser.new_context(viewport=LAYOUTS[layout], color_scheme=color_scheme, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(90_000)      # generous: CI shares two cores with the notebook tests
    record = {"outside": [], "failed": [], "console": [], "errors": []}

    def only_localhost(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            record["outside"].append(route.request.url)
            route.abort()

    page.route("**/*", only_localhost)
    page.on("pageerror", lambda err: record["errors"].append(str(err)))
    page.on("console", lambda msg: msg.type == "error" and record["console"].append(msg.text))
    page.on("response", lambda response: response.status >= 400
            and record["failed"].append(f"{response.status} {response.url}"))
    page.on("requestfailed", lambda request: urlparse(request.url).hostname == "127.0.0.1"
            and record["failed"].append(f"{request.failure} {request.url}"))
    page.goto(f"{site}/{page_name}.html", wait_until="load")
    if page.locator('script[src*="mathjax/tex-chtml.js"]').count():
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_function("[...document.images].every(image => image.complete)")
    page.wait_for_timeout(300)            # the theme's and the book's scripts settle (debounced at 300 ms)
    return page, record


# What a reader would notice, measured in the page. Widths in CSS pixels.
MEASURE = r"""() => {
    const article = document.querySelector('article.bd-article') || document.querySelector('main');
    const box = article.getBoundingClientRect();
    const prose = article.cloneNode(true);
    prose.querySelectorAll('pre, code, script, style, mjx-container, .cell_output').forEach(e => e.remove());
    const label = e => (e.innerText || e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 70);
    const scrolls = e => e.scrollWidth > e.clientWidth + 1;
    const scrollable = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
    const blocks = [...article.querySelectorAll('div.highlight pre, .cell_output .output, .cell_output pre')];
    const math = window.MathJax && MathJax.startup && MathJax.startup.document
        ? MathJax.startup.document.getMathItemsWithin(article) : [];
    const equations = math.filter(m => m.typesetRoot).map(m => {
        const root = m.typesetRoot, r = root.getBoundingClientRect();
        // An inline formula has no scroll box of its own unless the book gave it one.
        const boxed = m.display || root.classList.contains('rnnbook-wide-inline');
        // Inside a box that scrolls sideways (a wide table), a formula past the edge is reached by scrolling.
        let scroller = false;
        for (let e = root.parentElement; e && e !== article; e = e.parentElement) {
            if (scrollable(e) && scrolls(e)) { scroller = true; break; }
        }
        return {tex: m.math.trim().replace(/\s+/g, ' ').slice(0, 80), display: m.display,
                outside: !scroller && (r.right > box.right + 1 || r.left < box.left - 1),
                overflows: boxed && scrolls(root), scrolls: scrollable(root)};
    });
    const images = [...article.querySelectorAll('img')].map(i => ({
        src: i.getAttribute('src').slice(0, 60), alt: i.getAttribute('alt'),
        loaded: i.complete && i.naturalWidth > 0, natural: i.naturalWidth, shown: i.getBoundingClientRect().width}));
    const tables = [...article.querySelectorAll('.cell_output table')];
    const resources = performance.getEntriesByType('resource')
        .filter(e => e.initiatorType === 'img').reduce((sum, e) => sum + e.encodedBodySize, 0);
    return {
        text: prose.innerText,
        math: equations.length,
        equations,
        images,
        captions: article.querySelectorAll('figure figcaption').length,
        scrolling: blocks.filter(scrolls).map(label),
        pageScrolls: document.documentElement.scrollWidth > window.innerWidth + 1,
        headerlessTables: tables.filter(t => !t.querySelector('th')).map(label),
        widgetState: document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]').length,
        bytes: performance.getEntriesByType('navigation')[0].encodedBodySize + resources,
        links: [...document.querySelectorAll('a[href]')].map(a => a.href)
            .filter(h => h.startsWith(location.origin)),
        errors: [...article.querySelectorAll('.cell_output')]
                .filter(e => e.querySelector('.traceback, .error')
                             || /Traceback \(most recent call last\)/.test(e.innerText))
                .map(e => e.innerText),
    };
}"""


def measure(page):
    return page.evaluate(MEASURE)


def axe_violations(page, site):
    """Serious and critical WCAG 2.x A/AA violations axe-core finds on the page: [(rule, impact, where)]."""
    page.add_script_tag(url=f"{site}/_static/axe/axe.min.js")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [(v["id"], v["impact"], node["target"][0] if node["target"] else "?")
            for v in result["violations"] if v["impact"] in ("serious", "critical") for node in v["nodes"]]


# axe-core can leave a colour unjudged (it reports "incomplete") where the theme paints an output's
# background itself, as pydata-sphinx-theme does for HTML outputs in dark mode; the book's own output
# text is measured here: WCAG's contrast ratio against the nearest painted background, at least 4.5.
LOW_CONTRAST = r"""() => {
    const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                                        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = e => {
        for (; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const texts = 'table.rnnbook-table caption, table.rnnbook-table th, table.rnnbook-table td, figcaption, '
                + '.rnnbook-explorer label, .rnnbook-explorer output, .rnnbook-explorer select';
    return [...document.querySelectorAll(texts)].filter(e => e.innerText.trim()).map(e => {
        const [a, b] = [lum(rgb(getComputedStyle(e).color).slice(0, 3)), lum(background(e))];
        return [e.innerText.trim().slice(0, 40), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
    }).filter(([, ratio]) => ratio < 4.5).map(([text, ratio]) => `${text} (${ratio.toFixed(1)}:1)`);
}"""


def useless_alt(images):
    return [image["src"] for image in images
            if image["alt"] is None or USELESS_ALT.search(image["alt"].strip()) or len(image["alt"].strip()) < 15]


def clipped_equations(equations, layout):
    """Equations a reader cannot see whole: past the column's edge, or (on a laptop) wider than it.

    On a phone a long display equation may scroll inside its own box; on a laptop nothing may overflow.
    """
    bad = []
    for eq in equations:
        if eq["outside"] or (eq["overflows"] and (layout == "laptop" or not eq["scrolls"])):
            bad.append(eq["tex"])
    return bad


def broken_links(links, html_dir=HTML):
    """Same-site links whose file does not exist in the built book."""
    missing = []
    for link in sorted(set(links)):
        path = urlparse(link).path
        target = Path(html_dir) / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        if not target.exists():
            missing.append(link)
    return missing


def test_no_page_links_an_outside_script_or_stylesheet(site):
    outside = re.compile(r'<(?:script[^>]+src|link[^>]+href)="(https?:)?//', re.I)
    offenders = [str(p.relative_to(HTML)) for p in HTML.rglob("*.html") if outside.search(p.read_text())]
    assert not offenders, f"pages that load scripts or styles from another host: {offenders}"


def test_buttons_to_a_repository_only_once_its_address_is_set(site):
    url = (yaml.safe_load((ROOT / "_config.yml").read_text()).get("repository") or {}).get("url")
    # Binder and Colab links, and the theme's repository button (the prose may cite other repositories).
    launch = re.compile(r'href="https?://(?:mybinder\.org|colab\.research\.google\.com)[^"]*"'
                        r'|btn-source-repository-button')
    pages = {str(p.relative_to(HTML)): launch.findall(p.read_text()) for p in HTML.rglob("*.html")}
    if not url:
        assert not {page: links for page, links in pages.items() if links}, (
            "repository.url is not set in _config.yml, yet pages have Binder, Colab or repository buttons")
    else:
        assert all(links for page, links in pages.items() if page.startswith("chapters/"))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_downloaded_chapter_has_its_outputs_and_installs_rnnbook(site, chapter):
    import nbformat
    download = nbformat.read(HTML / "_sources" / f"{chapter}.ipynb", as_version=4)
    code = [cell for cell in download.cells if cell.cell_type == "code"]
    assert sum(len(cell.outputs) for cell in code) > 0, f"the download of {chapter} has no outputs"
    first = code[0].source
    assert "import rnnbook" in first and "except ModuleNotFoundError" in first and "rnnbook-*.whl" in first


def test_the_offered_wheel_holds_the_whole_library(site, tmp_path):
    wheels = list((HTML / "_downloads").rglob("rnnbook-*-py3-none-any.whl"))
    assert len(wheels) == 1, f"the book offers {len(wheels)} rnnbook wheels"
    intro = (HTML / "intro.html").read_text()
    assert wheels[0].relative_to(HTML).as_posix() in intro, "the first page does not link the wheel"
    import zipfile
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "rnnbook").rglob("*.py")}
    assert modules <= names, f"the wheel lacks {sorted(modules - names)}"
    # Imported from the wheel alone (a zip on sys.path), the library computes.
    check = ("import sys; sys.path.insert(0, sys.argv[1]); import numpy as np, rnnbook; "
             "assert rnnbook.__file__.startswith(sys.argv[1]); "
             "print(rnnbook.ctc.loss(np.log(np.full((3, 2), 0.5)), [1]))")
    out = subprocess.run([sys.executable, "-c", check, str(wheels[0])], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    assert abs(float(out) - 0.2876820724517809) < 1e-12          # -log(6 paths * 1/8): a label in 3 frames


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("page_name", PAGES)
def test_page_reads_well_offline(browser, site, page_name, layout):
    page, record = open_page(browser, site, page_name, layout)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{Path(page_name).name}-{LAYOUTS[layout]['width']}.png"), full_page=True)
    report = measure(page)
    page.context.close()

    assert not record["outside"], f"{page_name} asked other hosts for: {record['outside']}"
    assert not record["errors"], f"{page_name} raised JavaScript errors: {record['errors']}"
    assert not record["console"], f"{page_name} logged console errors: {record['console']}"
    assert not record["failed"], f"{page_name} has failed requests: {record['failed']}"
    assert not broken_links(report["links"]), f"{page_name} links to missing pages: {broken_links(report['links'])}"
    assert not [i for i in report["images"] if not i["loaded"]], f"{page_name} has images that did not load"
    assert not report["errors"], f"{page_name} shows an error in a cell output: {report['errors'][:1]}"
    assert report["widgetState"] == 0, (
        f"{page_name} embeds ipywidgets state, which draws dead widgets without a kernel: use rnnbook.explorer")
    raw_tex = re.findall(r"\$\$|\\\[|\\\(|\\begin\{|\$[^$\n]*\\[a-zA-Z]+", report["text"])
    assert not raw_tex, f"{page_name} shows untypeset TeX: {raw_tex[:5]}"
    assert not useless_alt(report["images"]), f"{page_name}: images without alt text written for them: {useless_alt(report['images'])}"
    assert not report["headerlessTables"], f"{page_name}: output tables without header cells: {report['headerlessTables']}"
    assert report["bytes"] <= PAGE_BUDGET, f"{page_name} weighs {report['bytes']:,} bytes with its images"
    assert not report["pageScrolls"], f"{page_name} scrolls sideways as a whole at {layout} width"
    clipped = clipped_equations(report["equations"], layout)
    assert not clipped, f"{page_name}: equations cut off or overflowing at {layout} width: {clipped}"
    if page_name in CHAPTERS:
        assert report["math"] > 0, f"{page_name}: no typeset math found"
        assert report["images"], f"{page_name}: no figure found"
        assert report["captions"] > 0, f"{page_name}: no figure has a caption"
    if layout == "laptop":
        assert not report["scrolling"], f"{page_name}: code or output blocks scroll sideways at 1280 px: {report['scrolling']}"
    else:
        small = [(i["src"], round(i["shown"] / i["natural"], 2)) for i in report["images"]
                 if i["natural"] and i["shown"] / i["natural"] < LEGIBLE_SCALE]
        assert not small, f"{page_name}: figures shrunk below {LEGIBLE_SCALE} of their size on a phone: {small}"


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("page_name", PAGES)
def test_page_is_accessible(browser, site, page_name, color_scheme):
    page, _ = open_page(browser, site, page_name, "laptop", color_scheme)
    if color_scheme == "dark":
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        page.screenshot(path=str(SHOTS / f"{Path(page_name).name}-1280-dark.png"), full_page=True)
    violations = axe_violations(page, site)
    low_contrast = page.evaluate(LOW_CONTRAST)
    page.context.close()
    assert not violations, f"{page_name} ({color_scheme}): serious or critical WCAG violations: {violations}"
    assert not low_contrast, f"{page_name} ({color_scheme}): output text below 4.5:1 contrast: {low_contrast}"


def _shown_pixels(page, explorer):
    """The explorer's current figure as an array of pixels, and its alt text."""
    import numpy as np
    from PIL import Image
    src, alt = explorer.locator("img").evaluate("img => [img.src, img.alt]")
    png = base64.b64decode(src.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")), alt


def _draw_in_kernel(chapter, cell_index, function, setting):
    """The PNG a reader gets by running the chapter up to its explorer and calling ``function(**setting)``."""
    import nbformat
    from nbclient import NotebookClient
    notebook = nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4)
    # The chapter defines the draw function in a cell before the one that shows the explorer.
    notebook.cells = notebook.cells[:cell_index] + [nbformat.v4.new_code_cell(f"{function}(**{setting!r})")]
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "chapters")}}).execute()
    images = [out["data"]["image/png"] for out in notebook.cells[-1].outputs if "image/png" in out.get("data", {})]
    assert len(images) == 1, f"{function}(**{setting}) displayed {len(images)} figures, not one"
    return base64.b64decode(images[0])


@pytest.mark.parametrize("chapter, cell_index", EXPLORERS, ids=[f"{c}-cell{i}" for c, i in EXPLORERS])
def test_explorer_responds_without_a_kernel(browser, site, chapter, cell_index):
    import numpy as np
    from PIL import Image
    page, record = open_page(browser, site, chapter)
    explorers = page.locator("figure.rnnbook-explorer")
    assert explorers.count() >= 1, f"{chapter}: no explorer on the page"
    # Explorers appear on the page in the order of their cells.
    position = [i for c, i in EXPLORERS if c == chapter].index(cell_index)
    explorer = explorers.nth(position)
    explorer.scroll_into_view_if_needed()
    data = json.loads(explorer.locator("script.rnnbook-explorer-states").text_content())
    fields = explorer.locator("[data-control]")
    assert fields.count() == len(data["names"])

    def set_control(k, index):
        field = fields.nth(k)
        if field.evaluate("f => f.type") == "range":
            field.fill(str(index))
        else:
            field.select_option(value=str(index))

    # Every control, moved to each end of its range (or through every option), changes the figure.
    for k, values in enumerate(data["values"]):
        start = int(fields.nth(k).input_value())
        for index in sorted({0, len(values) - 1, (start + 1) % len(values)} - {start}):
            before, before_alt = _shown_pixels(page, explorer)
            set_control(k, index)
            after, after_alt = _shown_pixels(page, explorer)
            assert before.shape != after.shape or not np.array_equal(before, after), (
                f"{chapter}: moving {data['names'][k]} to {values[index]!r} left the figure as it was")
            assert after_alt != before_alt, f"{chapter}: {data['names'][k]} = {values[index]!r} kept the old alt text"
            if fields.nth(k).evaluate("f => f.type") == "range":
                assert fields.nth(k).get_attribute("aria-valuetext") == data["texts"][k][index]
            start = index

    # One setting away from the initial one: the page shows what the chapter's function draws for it.
    for k, values in enumerate(data["values"]):
        set_control(k, len(values) - 1)
    shown, _ = _shown_pixels(page, explorer)
    function = explorer.get_attribute("data-draw")
    page.context.close()
    assert not record["errors"] and not record["console"], f"{chapter}: {record['errors'] + record['console']}"
    setting = {name: values[-1] for name, values in zip(data["names"], data["values"])}
    drawn = np.asarray(Image.open(io.BytesIO(_draw_in_kernel(chapter, cell_index, function, setting))).convert("RGB"))
    assert shown.shape == drawn.shape and np.array_equal(shown, drawn), (
        f"{chapter}: for {setting} the page shows another figure than {function} draws")


def _counts(html_dir):
    """The counts over every page that the issue asks for, for a closing note: python tests/test_browser.py."""
    from playwright.sync_api import sync_playwright
    server, url = serve(html_dir)
    totals = {}

    def add(key, n):
        totals[key] = totals.get(key, 0) + n

    with sync_playwright() as pw:
        browser = launch(pw)
        for page_name in PAGES:
            for layout in LAYOUTS:
                page, record = open_page(browser, url, page_name, layout)
                report = measure(page)
                add(f"{layout}: console errors", len(record["console"]))
                add(f"{layout}: failed requests", len(record["failed"]))
                add(f"{layout}: blocks that scroll sideways", len(report["scrolling"]))
                add(f"{layout}: clipped equations", len(clipped_equations(report["equations"], layout)))
                if layout == "phone":
                    add("phone: figures below legible scale",
                        sum(1 for i in report["images"] if i["natural"] and i["shown"] / i["natural"] < LEGIBLE_SCALE))
                else:
                    add("images", len(report["images"]))
                    add("images without written alt text", len(useless_alt(report["images"])))
                    add("broken links", len(broken_links(report["links"], html_dir)))
                    print(f"{page_name}: {report['bytes']:,} bytes with images")
                    for scheme in ("light", "dark"):
                        if scheme == "dark":
                            page.context.close()
                            page, _ = open_page(browser, url, page_name, layout, scheme)
                        for rule, impact, _ in axe_violations(page, url):
                            add(f"axe {scheme} {impact}", 1)
                            add(f"axe rule {rule}", 1)
                        add(f"{scheme}: output text below 4.5:1", len(page.evaluate(LOW_CONTRAST)))
                page.context.close()
        browser.close()
    server.shutdown()
    for key, value in sorted(totals.items()):
        print(f"{key}: {value}")


if __name__ == "__main__":
    _counts(Path(sys.argv[1]) if len(sys.argv) > 1 else HTML)
