// Draws the dashboard's Vega-Lite specs. Our CSP has no 'unsafe-eval' and no inline styles, so Vega
// evaluates expressions with its interpreter, and vega-embed adds no style sheet, menu or tooltip box.
"use strict";
(function () {
  function draw(el) {
    var source = document.getElementById(el.dataset.spec);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    vegaEmbed(el, spec, {
      renderer: "svg",
      actions: false,
      ast: true,
      expr: vega.expressionInterpreter,
      defaultStyle: false,
      tooltip: false,
    }).then(function () {
      el.dataset.rendered = "true";
    }).catch(function (error) {
      el.dataset.rendered = "error";
      el.textContent = String(error);
      console.error(error);
    });
  }
  document.querySelectorAll(".vega-chart[data-spec]").forEach(draw);
})();
