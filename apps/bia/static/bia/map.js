// Dependency map: activities → applications → infrastructure → suppliers, drawn with cytoscape.
// Data comes from the map-data JSON view; filters re-query it. No inline script (strict CSP).
(function () {
  "use strict";
  const KIND_COLOURS = {
    activity: "#1d4ed8", application: "#7c3aed", infrastructure: "#0f766e", supplier: "#b45309",
    biomedical: "#be185d", premises: "#4b5563", skill: "#4b5563",
  };

  function style() {
    return [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 170,
        "background-color": (ele) => KIND_COLOURS[ele.data("type")] || "#64748b", "color": "#0f172a",
        "text-valign": "center", "text-halign": "right", "text-margin-x": 6, "width": 18, "height": 18,
        // Zoomed far out (300 activities), labels give way to the shapes; zoom in or tap to read them.
        "min-zoomed-font-size": 7,
      } },
      { selector: "node[type = 'activity']", style: { "shape": "round-rectangle", "width": 26, "height": 18 } },
      { selector: "node[?gap]", style: { "border-width": 4, "border-color": "#dc2626" } },
      { selector: "node[?spof]", style: { "shape": "diamond", "width": 26, "height": 26 } },
      { selector: "edge", style: { "width": 1.2, "line-color": "#94a3b8", "target-arrow-shape": "triangle",
        "target-arrow-color": "#94a3b8", "curve-style": "bezier", "arrow-scale": 0.7 } },
      { selector: "edge[?workaround]", style: { "line-style": "dashed", "line-color": "#cbd5e1" } },
      { selector: ".faded", style: { "opacity": 0.15 } },
    ];
  }

  function init() {
    const container = document.getElementById("bia-map");
    const form = document.getElementById("map-filters");
    const status = document.getElementById("map-status");
    if (!container || !form || typeof window.cytoscape !== "function") return;
    let cy = null;

    function load() {
      const params = new URLSearchParams(new FormData(form));
      status.textContent = "…";
      fetch(form.dataset.url + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then((response) => { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then((data) => {
          if (cy) cy.destroy();
          cy = window.cytoscape({
            container: container, elements: { nodes: data.nodes, edges: data.edges }, style: style(),
            // Layers run left to right (activities, then applications, infrastructure, suppliers) and the
            // nodes of a layer stack vertically, so one-line labels on the right never overlap.
            layout: {
              name: "breadthfirst", directed: true, avoidOverlap: true, spacingFactor: 1,
              transform: (node, position) => ({ x: position.y * 3.2, y: position.x * 0.45 }),
            },
            minZoom: 0.1, maxZoom: 3, wheelSensitivity: 0.3,
          });
          cy.on("tap", "node", (event) => {
            const hood = event.target.closedNeighborhood().union(event.target.successors()).union(event.target.predecessors());
            cy.elements().addClass("faded");
            hood.removeClass("faded");
          });
          cy.on("tap", (event) => { if (event.target === cy) cy.elements().removeClass("faded"); });
          status.textContent = container.dataset.countTemplate
            ? container.dataset.countTemplate.replace("%n", data.nodes.length)
            : data.nodes.length + " / " + data.edges.length;
        })
        .catch(() => { status.textContent = "!"; });
    }
    form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
    form.addEventListener("change", load);
    load();
  }
  document.addEventListener("DOMContentLoaded", init);
})();
