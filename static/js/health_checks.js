/* The Health tab's history chart, drawn from the JSON the page holds (json_script); the
   table under it carries the same figures for screen readers and when JavaScript is off. */
(function () {
  "use strict";

  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-health-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-health-chart"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      canvas.parentElement.hidden = false;
      new window.Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [{
            label: "Health score",
            data: data.scores,
            borderColor: "rgb(1, 114, 173)",
            backgroundColor: "rgba(1, 114, 173, 0.15)",
            spanGaps: false,
            tension: 0.2,
            pointRadius: 3
          }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { min: 0, max: 100, title: { display: true, text: "Score (0-100)" } } },
          plugins: {
            legend: { display: false },
            title: {
              display: true,
              text: "Red below " + data.red_below + ", green from " + data.green_from + " (gaps: not enough data)"
            }
          }
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
