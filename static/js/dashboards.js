/* The client executive's KPI charts (Chart.js from the npm registry): each KPI line's days,
   with its discovery baseline and its target as dashed lines. The data is JSON the page holds
   (json_script): names are drawn as text on the canvas, never inserted as HTML. The table
   above the charts carries the same figures for screen readers and without JavaScript. */
(function () {
  "use strict";

  function level(label, value, count, color) {
    return {
      label: label,
      data: new Array(count).fill(value),
      borderColor: color,
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
      fill: false
    };
  }

  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    var source = document.getElementById("kpi-chart-data");
    if (!source) { return; }
    var charts = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-kpi-chart]").forEach(function (canvas) {
      var data = charts[Number(canvas.getAttribute("data-kpi-chart"))];
      if (!data) { return; }
      var count = data.values.length;
      var datasets = [{
        label: data.name + (data.unit ? " (" + data.unit + ")" : ""),
        data: data.values,
        borderColor: "rgb(1, 114, 173)",
        backgroundColor: "rgba(1, 114, 173, 0.12)",
        tension: 0.2,
        pointRadius: 2
      }];
      if (data.baseline !== null) { datasets.push(level("Baseline", data.baseline, count, "#667085")); }
      if (data.target !== null) { datasets.push(level("Target", data.target, count, "#067647")); }
      canvas.closest("figure").hidden = false;
      new window.Chart(canvas, {
        type: "line",
        data: { labels: data.labels, datasets: datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: true, position: "bottom", labels: { boxWidth: 12 } } },
          scales: { x: { ticks: { maxTicksLimit: 7 } } }
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
