// Dependency map: activities → applications → infrastructure → suppliers, drawn with cytoscape.
// Data comes from the map-data JSON view; filters re-query it. No inline script (strict CSP): the
// translated texts and page addresses come from the <script type="application/json" id="map-config">.
//
// Readable at 300 activities: the layout is our own layered one (a column per kind of element, a
// long column wrapped into several so the whole map keeps the shape of the screen, nodes ordered by
// their neighbours to limit crossings); a click or the search box isolates one element's chain
// (what depends on it, what it depends on) and the side panel explains it.
(function () {
  "use strict";
  const KIND_COLOURS = {
    activity: "#1d4ed8", application: "#7c3aed", infrastructure: "#0f766e", supplier: "#b45309",
    biomedical: "#be185d", premises: "#4b5563", skill: "#4b5563",
  };
  const COLUMN_OF = { activity: 0, application: 1, biomedical: 1, infrastructure: 2, premises: 2, skill: 2, supplier: 3 };
  const CRITICALITY_RANK = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 };
  const ROW = 30;          // vertical step between two nodes
  const COLUMN = 215;      // width of one column: node + one-line label (ellipsis at 170 px)
  const GAP = 150;         // extra space between two kinds of element
  const SINGLE_COLUMN_UP_TO = 25;  // a kind with at most this many nodes stays in one column
  const MANY_EDGES = 600;  // beyond, edges are drawn light and straight (readable, and fast to render)

  function style() {
    return [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 170,
        "background-color": (ele) => KIND_COLOURS[ele.data("type")] || "#64748b", "color": "#0f172a",
        "text-valign": "center", "text-halign": "right", "text-margin-x": 6, "width": 18, "height": 18,
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1,
        // Zoomed far out, labels give way to the shapes; zoom in, search or click to read them.
        "min-zoomed-font-size": 7,
      } },
      { selector: "node[type = 'activity']", style: { "shape": "round-rectangle", "width": 26, "height": 18 } },
      { selector: "node[?gap]", style: { "border-width": 4, "border-color": "#dc2626" } },
      { selector: "node[?spof]", style: { "shape": "diamond", "width": 26, "height": 26 } },
      { selector: "node.focused", style: { "overlay-color": "#1d4ed8", "overlay-opacity": 0.18, "overlay-padding": 8,
        "font-weight": "bold" } },
      { selector: "edge", style: { "width": 1.2, "line-color": "#94a3b8", "target-arrow-shape": "triangle",
        "target-arrow-color": "#94a3b8", "curve-style": "bezier", "arrow-scale": 0.7 } },
      { selector: "edge.light", style: { "curve-style": "haystack", "haystack-radius": 0, "width": 0.8,
        "opacity": 0.35, "target-arrow-shape": "none" } },
      { selector: "edge[?workaround]", style: { "line-style": "dashed", "line-color": "#cbd5e1" } },
      { selector: ".hidden", style: { "display": "none" } },
    ];
  }

  function byLabel(a, b) { return a.label.localeCompare(b.label, "fr"); }

  // Positions for the given nodes (cytoscape ``data`` objects; ``incoming`` maps an id to the ids of
  // the elements that depend on it): a column per kind, each ordered by the mean rank of the elements
  // that depend on it (barycentre), long columns wrapped so the drawing keeps the container's shape.
  function layeredPositions(nodes, incoming, aspect) {
    const columns = [[], [], [], []];
    nodes.forEach((n) => columns[COLUMN_OF[n.type] ?? 2].push(n));
    columns[0].sort((a, b) => (a.establishment || 0) - (b.establishment || 0)
      || CRITICALITY_RANK[b.criticality] - CRITICALITY_RANK[a.criticality] || byLabel(a, b));
    const rank = new Map();
    const setRanks = (column) => column.forEach((n, i) => rank.set(n.id, i / Math.max(1, column.length - 1)));
    setRanks(columns[0]);
    for (let c = 1; c < columns.length; c++) {
      const score = new Map();
      columns[c].forEach((n) => {
        const ranks = (incoming.get(n.id) || []).filter((id) => rank.has(id)).map((id) => rank.get(id));
        score.set(n.id, ranks.length ? ranks.reduce((sum, r) => sum + r, 0) / ranks.length : 2);
      });
      columns[c].sort((a, b) => score.get(a.id) - score.get(b.id) || byLabel(a, b));
      setRanks(columns[c]);
    }
    const counts = columns.map((c) => c.length).filter((n) => n > 0);
    const tallest = Math.max(1, ...counts);
    let rows = tallest;
    let best = Infinity;
    for (let r = Math.min(tallest, SINGLE_COLUMN_UP_TO); r <= tallest; r++) {
      const width = counts.reduce((w, n) => w + Math.ceil(n / r) * COLUMN, 0) + GAP * (counts.length - 1);
      const misfit = Math.abs(Math.log(width / (r * ROW) / aspect));
      if (misfit < best) { best = misfit; rows = r; }
    }
    const positions = {};
    let x = 0;
    columns.forEach((column) => {
      if (!column.length) return;
      const used = Math.min(rows, column.length);
      column.forEach((n, i) => {
        positions[n.id] = { x: x + Math.floor(i / rows) * COLUMN, y: ((i % rows) - (used - 1) / 2) * ROW };
      });
      x += Math.ceil(column.length / rows) * COLUMN + GAP;
    });
    return positions;
  }

  function incomingOf(edges) {
    const incoming = new Map();
    edges.forEach((e) => {
      if (!incoming.has(e.target)) incoming.set(e.target, []);
      incoming.get(e.target).push(e.source);
    });
    return incoming;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_m, key) => (key in values ? values[key] : ""));
  }

  function init() {
    const container = document.getElementById("bia-map");
    const form = document.getElementById("map-filters");
    const status = document.getElementById("map-status");
    const configElement = document.getElementById("map-config");
    if (!container || !form || !configElement || typeof window.cytoscape !== "function") return;
    const config = JSON.parse(configElement.textContent);
    const t = config.text;
    const search = document.getElementById("map-search");
    const choices = document.getElementById("map-nodes");
    const reset = document.getElementById("map-reset");
    const panel = document.getElementById("map-details");
    let cy = null;
    let searchIndex = new Map();

    const hours = (value) => (value === null || value === undefined ? t.none : fill(t.hours, { hours: value }));
    const aspect = () => Math.max(0.5, (container.clientWidth || 800) / (container.clientHeight || 500));

    function arrange(elements) {
      const positions = layeredPositions(elements.nodes().map((n) => n.data()),
                                         incomingOf(elements.edges().map((e) => e.data())), aspect());
      cy.nodes().filter((n) => positions[n.id()]).positions((n) => positions[n.id()]);
      cy.fit(elements, 30);
    }

    function showAll() {
      cy.batch(() => {
        cy.elements().removeClass("hidden focused");
        cy.edges().toggleClass("light", cy.edges().length > MANY_EDGES);
      });
      panel.hidden = true;
      reset.hidden = true;
      cy.resize();
      arrange(cy.elements());
      search.value = "";
      status.textContent = cy.nodes().length ? fill(t.count, { nodes: cy.nodes().length, edges: cy.edges().length })
        : t.empty;
    }

    function describe(node) {
      const d = node.data();
      panel.replaceChildren();
      const add = (tag, text, className) => {
        const el = document.createElement(tag);
        if (text) el.textContent = text;
        if (className) el.className = className;
        panel.append(el);
        return el;
      };
      add("h3", d.label);
      add("p", config.kinds[d.type] || d.type, "help");
      const facts = document.createElement("dl");
      facts.className = "bia-facts";
      const fact = (label, value) => {
        const dt = document.createElement("dt");
        dt.textContent = label;
        const dd = document.createElement("dd");
        dd.textContent = value;
        facts.append(dt, dd);
      };
      const pk = d.id.slice(1);
      let url;
      if (d.type === "activity") {
        fact(t.criticality, config.criticalities[d.criticality] || t.none);
        fact(t.dmia, hours(d.dmia));
        url = config.activityUrl.replace(/\/0\/$/, `/${pk}/`);
      } else {
        fact(t.required, hours(d.required));
        fact(d.measured ? t.measured : t.promised, hours(d.rto));
        if (d.required_rpo !== null && d.required_rpo !== undefined) fact(t.requiredRpo, hours(d.required_rpo));
        if (d.rpo !== null && d.rpo !== undefined) fact(d.rpo_measured ? t.measuredRpo : t.promisedRpo, hours(d.rpo));
        url = config.resourceUrl.replace(/\/0\/$/, `/${pk}/`);
      }
      fact(t.dependsOn, String(node.outgoers("node").length));
      fact(t.usedBy, String(node.incomers("node").length));
      panel.append(facts);
      if (d.type === "activity" && config.establishments[d.establishment]) {
        panel.querySelector("p.help").textContent += " — " + config.establishments[d.establishment];
      }
      if (d.gap) add("p", t.gap, "message error");
      if (d.spof) add("p").append(Object.assign(document.createElement("span"), { className: "badge", textContent: t.spof }));
      const link = document.createElement("a");
      link.textContent = t.open;
      link.href = url;
      add("p").append(link);
      panel.hidden = false;
    }

    function focus(node) {
      const chain = node.union(node.successors()).union(node.predecessors());
      cy.batch(() => {
        cy.elements().addClass("hidden").removeClass("focused");
        chain.removeClass("hidden");
        node.addClass("focused");
        chain.edges().toggleClass("light", chain.edges().length > MANY_EDGES);
      });
      describe(node);
      reset.hidden = false;
      cy.resize();  // the side panel took some of the width
      arrange(chain);
      status.textContent = fill(t.focus, { name: node.data("label"), nodes: chain.nodes().length });
    }

    function searchLabel(node) {
      const d = node.data();
      const where = d.type === "activity" ? config.establishments[d.establishment] : config.kinds[d.type];
      return where ? `${d.label} — ${where}` : d.label;
    }

    function load() {
      const params = new URLSearchParams(new FormData(form));
      status.textContent = "…";
      fetch(form.dataset.url + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then((response) => { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then((data) => {
          if (cy) cy.destroy();
          // Positions before the first drawing (nodes never sit on top of each other, even for a frame).
          const positions = layeredPositions(data.nodes.map((n) => n.data), incomingOf(data.edges.map((e) => e.data)),
                                             aspect());
          data.nodes.forEach((n) => { n.position = positions[n.data.id]; });
          cy = window.cytoscape({
            container: container, elements: { nodes: data.nodes, edges: data.edges }, style: style(),
            layout: { name: "preset" }, minZoom: 0.05, maxZoom: 3,
          });
          cy.on("tap", "node", (event) => focus(event.target));
          searchIndex = new Map();
          const options = [];
          cy.nodes().sort((a, b) => byLabel(a.data(), b.data())).forEach((n) => {
            const label = searchLabel(n);
            if (searchIndex.has(label)) return;
            searchIndex.set(label, n.id());
            const option = document.createElement("option");
            option.value = label;
            options.push(option);
          });
          choices.replaceChildren(...options);
          showAll();
        })
        .catch(() => { status.textContent = "!"; });
    }

    search.addEventListener("change", () => {
      const id = searchIndex.get(search.value);
      if (cy && id) focus(cy.getElementById(id));
    });
    reset.addEventListener("click", () => { if (cy) showAll(); });
    form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
    form.addEventListener("change", load);
    load();
  }
  document.addEventListener("DOMContentLoaded", init);
})();
