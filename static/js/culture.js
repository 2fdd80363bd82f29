/* Culture pages: charts of satisfaction before/after each adaptation, the Print button of the
   nurse briefing, and "add another language" rows. Everything works without this file:
   the figures are in tables, the browser prints, and the form returns empty rows. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function formsetRows() {
    document.querySelectorAll("[data-formset-add]").forEach(function (button) {
      var prefix = button.getAttribute("data-formset-add");
      var template = document.querySelector('[data-formset-template="' + prefix + '"]');
      var body = document.querySelector('[data-formset-body="' + prefix + '"]');
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
      if (!template || !body || !total) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        if (max && index >= parseInt(max.value, 10)) { button.disabled = true; return; }
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        body.insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
        var select = body.lastElementChild && body.lastElementChild.querySelector("select");
        if (select) { select.focus(); }
      });
    });
  }

  function charts() {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-culture-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-culture-chart"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var small = data.small_sample;
      function colours(counts, strong, weak) {
        return counts.map(function (n) { return n < small ? weak : strong; });
      }
      canvas.parentElement.hidden = false;
      canvas.parentElement.style.height = Math.max(180, 70 + data.labels.length * 56) + "px";
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            {
              label: "Satisfied before (%)",
              data: data.before,
              counts: data.before_n,
              backgroundColor: colours(data.before_n, "rgba(102, 112, 133, 0.85)", "rgba(102, 112, 133, 0.3)"),
              borderColor: "rgb(102, 112, 133)",
              borderWidth: 1
            },
            {
              label: "Satisfied after (%)",
              data: data.after,
              counts: data.after_n,
              backgroundColor: colours(data.after_n, "rgba(1, 114, 173, 0.9)", "rgba(1, 114, 173, 0.3)"),
              borderColor: "rgb(1, 114, 173)",
              borderWidth: 1
            }
          ]
        },
        options: {
          indexAxis: "y",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: {
            x: { min: 0, max: 100, title: { display: true, text: "Satisfied callers (%)" } }
          },
          plugins: {
            legend: { position: "bottom" },
            title: { display: true, text: "Before → after, " + data.title + " (pale bars: fewer than " + small + " responses)" },
            tooltip: {
              callbacks: {
                label: function (context) {
                  var n = context.dataset.counts[context.dataIndex];
                  if (context.raw === null) { return context.dataset.label + ": no data"; }
                  return context.dataset.label + ": " + context.raw + "% (n=" + n + (n < small ? ", small sample" : "") + ")";
                }
              }
            }
          }
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    printButtons();
    formsetRows();
    charts();
  });
})();
