// The ipywidgets HTML manager typesets widget labels through MathJax 2's API, MathJax.Hub.Queue, as soon
// as window.MathJax exists; the book loads MathJax 3, which has no Hub, so every page with a widget threw
// "Cannot read properties of undefined (reading 'Queue')". This gives every object assigned to
// window.MathJax (Sphinx's config object, then MathJax 3 itself) a Hub whose Queue calls MathJax 3.
(function () {
  let current = window.MathJax;
  const hub = {
    Queue: function (job) {
      if (current && typeof current.typesetPromise === "function") {
        current.typesetPromise(job && job[2] ? [job[2]] : undefined);
      }
    },
  };
  function withHub(value) {
    if (value && typeof value === "object" && !value.Hub) value.Hub = hub;
    return value;
  }
  current = withHub(current);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); },
  });
})();
