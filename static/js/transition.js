/* Transition pages: the Gantt view of a plan (frappe-gantt), drawn from the JSON the page
   embeds with json_script. The plain table on the same page is the plan without JavaScript;
   this only adds the chart. No inline styles or scripts: the CSP allows neither. */
(function () {
  "use strict";

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function formatDate(iso) {
    if (!iso) return "—";
    var parts = iso.split("-");
    var date = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
    return date.toLocaleDateString(undefined, { month: "short", day: "numeric", year: "numeric" });
  }

  /* frappe-gantt 1.x writes a hatch <pattern> with a style attribute into the grid through
     innerHTML on every render (used only for "ignored" dates, which this chart never has).
     The CSP refuses inline style attributes, so drop that one write instead of logging a
     violation on each render. */
  function withoutHatchPattern(Gantt) {
    var original = Gantt.prototype.make_grid_highlights;
    if (!original || original.__switchboard) return;
    var descriptor = Object.getOwnPropertyDescriptor(Element.prototype, "innerHTML");
    var patched = function () {
      var grid = this.layers && this.layers.grid;
      if (!grid || !descriptor) return original.apply(this, arguments);
      Object.defineProperty(grid, "innerHTML", {
        configurable: true,
        get: function () { return descriptor.get.call(this); },
        set: function (html) {
          if (String(html).indexOf("diagonalHatch") === -1) descriptor.set.call(this, html);
        },
      });
      try {
        return original.apply(this, arguments);
      } finally {
        delete grid.innerHTML;
      }
    };
    patched.__switchboard = true;
    Gantt.prototype.make_grid_highlights = patched;
  }

  /* frappe-gantt takes one custom class per bar (the critical one); the other states become
     classes here, after every render. */
  function decorate(container, tasks) {
    tasks.forEach(function (task) {
      var bar = container.querySelector('.bar-wrapper[data-id="' + CSS.escape(task.id) + '"]');
      if (!bar) return;
      bar.classList.toggle("is-done", !!task.done);
      bar.classList.toggle("is-milestone", !!task.milestone);
      bar.classList.toggle("is-conflict", !!task.conflict);
    });
  }

  function popup(ctx) {
    var task = ctx.task;
    var slip = task.slip_days == null ? "no baseline"
      : task.slip_days > 0 ? "+" + task.slip_days + " d against the baseline"
      : task.slip_days < 0 ? task.slip_days + " d against the baseline" : "on the baseline";
    ctx.set_title(escapeHtml(task.title));
    ctx.set_subtitle(
      escapeHtml(formatDate(task.start)) + (task.milestone ? " (milestone)" : " → " + escapeHtml(formatDate(task.end)))
    );
    ctx.set_details(
      '<p class="gantt-popup-meta"><strong>' + escapeHtml(task.status) + "</strong> · " +
        escapeHtml(task.owner || "no owner") + "</p>" +
        '<p class="gantt-popup-meta">' + escapeHtml(slip) +
        (task.critical ? " · critical path" : "") +
        (task.conflict ? " · starts before its predecessors allow" : "") +
        (task.flagged ? " · its culture adaptation is gone" : "") + "</p>" +
        '<p class="gantt-popup-meta"><a href="' + escapeHtml(task.url) + '">Open the task</a></p>'
    );
  }

  /* frappe-gantt puts the popup where the bar was clicked, in the chart's scrolled content:
     near the right or bottom edge it would hang outside the visible chart. Move it back
     inside the chart's visible area (it never covers more than the chart). */
  function keepPopupInside(gantt) {
    var container = gantt.$container;
    var popup = gantt.popup && gantt.popup.parent;
    if (!container || !popup || popup.classList.contains("hide")) return;
    var margin = 8;
    var left = parseFloat(popup.style.left) || 0;
    var top = parseFloat(popup.style.top) || 0;
    var minLeft = container.scrollLeft + margin;
    var maxLeft = container.scrollLeft + container.clientWidth - popup.offsetWidth - margin;
    var minTop = container.scrollTop + margin;
    var maxTop = container.scrollTop + container.clientHeight - popup.offsetHeight - margin;
    popup.style.left = Math.max(minLeft, Math.min(left, maxLeft)) + "px";
    popup.style.top = Math.max(minTop, Math.min(top, maxTop)) + "px";
  }

  function initGantt() {
    var target = document.getElementById("gantt");
    var source = document.getElementById("gantt-data");
    if (!target || !source || typeof window.Gantt !== "function") return;
    var data = JSON.parse(source.textContent);
    if (!data.tasks || !data.tasks.length) return;
    withoutHatchPattern(window.Gantt);
    var tasks = data.tasks.map(function (task) {
      var copy = Object.assign({}, task);
      // frappe-gantt writes a bar's label with innerHTML: give it text, escaped, never markup.
      copy.title = task.name;
      copy.name = escapeHtml(task.name);
      copy.dependencies = (task.dependencies || []).join(", ");
      if (!copy.custom_class) delete copy.custom_class;
      return copy;
    });
    var gantt = new window.Gantt(target, tasks, {
      view_mode: "Week",
      readonly: true,
      holidays: {}, // calendar days: a triage line runs every day, weekends are not holidays
      today_button: false,
      popup_on: "click",
      popup: popup,
      bar_height: 22,
      padding: 14,
      infinite_padding: false,
      scroll_to: data.scroll_to,
      container_height: Math.min(640, 90 + tasks.length * 36),
    });
    decorate(target, tasks);
    var showPopup = gantt.show_popup;
    gantt.show_popup = function () {
      showPopup.apply(gantt, arguments);
      keepPopupInside(gantt);
    };

    var controls = document.querySelector(".gantt-controls");
    if (controls) {
      controls.hidden = false;
      controls.addEventListener("click", function (event) {
        var button = event.target.closest("[data-gantt-view]");
        if (!button) return;
        gantt.change_view_mode(button.getAttribute("data-gantt-view"), true);
        decorate(target, tasks);
        controls.querySelectorAll("[data-gantt-view]").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", initGantt);
})();
