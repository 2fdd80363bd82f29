/* Discovery pages: draw call-flow versions with Cytoscape.js and the dagre layout.
 *
 * Each `.callflow-diagram[data-graph]` names a json_script element holding
 * {"nodes": [{data: {id, label, kind, kindLabel, problem, mark}}], "edges": [{data: {id, source,
 * target, label, mark}}]}. The page lists the same graph in tables, so nothing here is needed
 * to read it. No inline styles are written as markup (the CSP refuses them); Cytoscape styles
 * its canvas through the CSSOM, which the CSP allows.
 */
(function () {
  "use strict";

  // Keep in step with the .kind-* swatches of static/css/discovery.css.
  var KINDS = {
    entry: { shape: "ellipse", fill: "#eff8ff", line: "#175cd3", text: "#1849a9" },
    ivr_menu: { shape: "round-hexagon", fill: "#f4f3ff", line: "#6941c6", text: "#53389e", wide: 1.25 },
    queue: { shape: "barrel", fill: "#ecfdff", line: "#0e7090", text: "#155b75", wide: 1.1 },
    triage_protocol: { shape: "round-rectangle", fill: "#eef4ff", line: "#3538cd", text: "#2d31a6", bold: true },
    warm_transfer: { shape: "cut-rectangle", fill: "#ecfdf3", line: "#067647", text: "#085d3a", wide: 1.1 },
    oncall_page: { shape: "bottom-round-rectangle", fill: "#fffaeb", line: "#b54708", text: "#93370d" },
    voicemail: { shape: "rectangle", fill: "#f2f4f7", line: "#475467", text: "#344054" },
    callback: { shape: "round-rectangle", fill: "#f0f9ff", line: "#0086c9", text: "#026aa2" },
    emergency_escalation: { shape: "round-octagon", fill: "#fef3f2", line: "#b42318", text: "#912018", bold: true, wide: 1.2, border: 3 },
    end: { shape: "ellipse", fill: "#101828", line: "#101828", text: "#ffffff" }
  };
  var MARKS = {
    added: { fill: "#dcfae6", line: "#079455" },
    removed: { fill: "#fee4e2", line: "#d92d20" },
    changed: { fill: "#fef0c7", line: "#dc6803" }
  };
  var FONT_SIZE = 12;
  var MAX_TEXT = 150;

  function fontFamily() {
    return window.getComputedStyle(document.body).fontFamily || "sans-serif";
  }

  // Node sizes from their wrapped labels (Cytoscape's `width: label` is deprecated).
  function measure(label, context) {
    var words = String(label).split(/\s+/);
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      var candidate = line ? line + " " + word : word;
      if (line && context.measureText(candidate).width > MAX_TEXT) {
        lines.push(line);
        line = word;
      } else {
        line = candidate;
      }
    });
    if (line) lines.push(line);
    var widest = lines.reduce(function (max, text) {
      return Math.max(max, context.measureText(text).width);
    }, 0);
    return { width: Math.min(widest, MAX_TEXT), lines: Math.max(lines.length, 1) };
  }

  function prepare(elements) {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d");
    context.font = "600 " + FONT_SIZE + "px " + fontFamily();
    elements.nodes.forEach(function (node) {
      var data = node.data;
      var kind = KINDS[data.kind] || KINDS.voicemail;
      var text = (data.problem ? "⚠ " : "") + data.label;
      var size = measure(text, context);
      data.display = text;
      data.w = Math.round((size.width + 26) * (kind.wide || 1));
      data.h = Math.round(size.lines * (FONT_SIZE + 3) + 20);
    });
    return elements;
  }

  function stylesheet() {
    var styles = [
      {
        selector: "node",
        style: {
          label: "data(display)",
          width: "data(w)",
          height: "data(h)",
          "font-family": fontFamily(),
          "font-size": FONT_SIZE,
          "font-weight": 600,
          "text-wrap": "wrap",
          "text-max-width": MAX_TEXT + "px",
          "text-valign": "center",
          "text-halign": "center",
          "border-width": 2,
          "z-index-compare": "manual",
          "z-index": 1
        }
      },
      {
        selector: "edge",
        style: {
          width: 1.6,
          "curve-style": "bezier",
          "line-color": "#98a2b3",
          "target-arrow-color": "#98a2b3",
          "target-arrow-shape": "triangle",
          "arrow-scale": 1.1,
          label: "data(label)",
          "font-family": fontFamily(),
          "font-size": 10,
          color: "#344054",
          "text-wrap": "wrap",
          "text-max-width": "120px",
          "text-background-color": "#ffffff",
          "text-background-opacity": 1,
          "text-background-padding": 3,
          "text-background-shape": "round-rectangle",
          "text-border-color": "#d0d5dd",
          "text-border-width": 1,
          "text-border-opacity": 1,
          // Labels are never hidden behind nodes: edges (and so their labels) draw above the
          // nodes, and a labelled edge spans two ranks (see `minLen`), so its label sits in
          // the free row between them rather than on a node.
          "z-index-compare": "manual",
          "z-index": 2
        }
      }
    ];
    Object.keys(KINDS).forEach(function (name) {
      var kind = KINDS[name];
      styles.push({
        selector: 'node[kind = "' + name + '"]',
        style: {
          shape: kind.shape,
          "background-color": kind.fill,
          "border-color": kind.line,
          "border-width": kind.border || 2,
          color: kind.text,
          "font-weight": kind.bold ? 700 : 600
        }
      });
    });
    styles.push({
      selector: "node[?problem]",
      style: { "border-color": "#d92d20", "border-style": "dashed", "border-width": 3 }
    });
    Object.keys(MARKS).forEach(function (name) {
      var mark = MARKS[name];
      styles.push({
        selector: 'node[mark = "' + name + '"]',
        style: { "background-color": mark.fill, "border-color": mark.line, "border-width": 4 }
      });
      styles.push({
        selector: 'edge[mark = "' + name + '"]',
        style: { "line-color": mark.line, "target-arrow-color": mark.line, width: 3 }
      });
    });
    styles.push({ selector: 'edge[mark = "removed"]', style: { "line-style": "dashed" } });
    styles.push({ selector: ":selected", style: { "overlay-color": "#175cd3", "overlay-opacity": 0.12 } });
    return styles;
  }

  function toolbar(container, cy) {
    var bar = document.createElement("div");
    bar.className = "diagram-tools";
    [
      ["Zoom in", function () { zoomBy(cy, 1.25); }],
      ["Zoom out", function () { zoomBy(cy, 0.8); }],
      ["Fit", function () { cy.fit(undefined, 16); }]
    ].forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary outline";
      button.textContent = item[0];
      button.addEventListener("click", item[1]);
      bar.appendChild(button);
    });
    container.parentNode.insertBefore(bar, container.nextSibling);
  }

  function zoomBy(cy, factor) {
    cy.zoom({
      level: cy.zoom() * factor,
      renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 }
    });
  }

  function draw(container) {
    var source = document.getElementById(container.dataset.graph);
    if (!source) return;
    var elements = JSON.parse(source.textContent);
    if (!elements.nodes.length) return;
    container.replaceChildren();
    container.classList.add("drawn");
    var cy = window.cytoscape({
      container: container,
      elements: prepare(elements),
      style: stylesheet(),
      layout: {
        name: "dagre",
        rankDir: "TB",
        nodeSep: 36,
        rankSep: 44,
        edgeSep: 16,
        padding: 16,
        // A labelled edge spans at least two ranks: its label gets a row of its own.
        minLen: function (edge) { return edge.data("label") ? 2 : 1; }
      },
      userZoomingEnabled: false,
      boxSelectionEnabled: false,
      autoungrabify: false,
      minZoom: 0.2,
      maxZoom: 2.5
    });
    cy.ready(function () {
      cy.fit(undefined, 16);
      if (cy.zoom() > 1.2) {
        cy.zoom(1.2);
        cy.center();
      }
    });
    toolbar(container, cy);
  }

  function init() {
    if (typeof window.cytoscape !== "function") return; // the tables stay the whole story
    document.querySelectorAll(".callflow-diagram[data-graph]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
