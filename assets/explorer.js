// Brings rnnbook.explorer's static explorers to life on the web page: every figure the Python code drew
// for every setting is embedded in the page; moving a control shows the one for the new setting.
// No kernel, no network.
(function () {
  function start(explorer) {
    const data = JSON.parse(explorer.querySelector("script.rnnbook-explorer-states").textContent);
    const image = explorer.querySelector("img");
    const fields = [...explorer.querySelectorAll("[data-control]")];
    function update() {
      const key = fields.map(field => field.value).join(",");
      const state = data.states[key];
      if (!state) return;
      image.src = state.src;
      image.alt = state.alt;
      fields.forEach(field => {
        if (field.type !== "range") return;
        const text = data.texts[Number(field.dataset.control)][Number(field.value)];
        field.setAttribute("aria-valuetext", text);
        const output = explorer.querySelector(`output[for="${field.id}"]`);
        if (output) output.textContent = text;
      });
    }
    fields.forEach(field => field.addEventListener("input", update));
    fields.forEach(field => field.addEventListener("change", update));
    explorer.classList.add("rnnbook-explorer-ready");
  }
  function startAll() {
    document.querySelectorAll("figure.rnnbook-explorer").forEach(start);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
