// The direction's home charts (apps/workspace/templates/workspace/_charts.html), drawn by the vendored Chart.js from
// the data in <script type="application/json" id="workspace-chart-data"> (json_script): no inline script. Without
// JavaScript the table under each chart gives the same figures.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("workspace-chart-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const text = data.text;
  const locale = document.documentElement.lang || "fr";
  const day = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit" });
  const colours = { met: "#2e7d32", partial: "#e0a100", notMet: "#b3261e", open: "#1f5fa8",
                    critical: "#b3261e", high: "#e65100", medium: "#e0a100", low: "#2e7d32", unknown: "#757575" };
  const common = { responsive: true, maintainAspectRatio: false, animation: false,
                   plugins: { legend: { position: "bottom" } } };

  const requirements = document.getElementById("requirements-chart");
  if (requirements && data.requirements) {
    const r = data.requirements;
    new window.Chart(requirements, {
      type: "line",
      data: {
        labels: r.labels.map((label) => day.format(new Date(label))),
        datasets: [
          { label: text.met, data: r.met, borderColor: colours.met, backgroundColor: colours.met, pointRadius: 2 },
          { label: text.partial, data: r.partial, borderColor: colours.partial, backgroundColor: colours.partial,
            pointRadius: 2 },
          { label: text.notMet, data: r.notMet, borderColor: colours.notMet, backgroundColor: colours.notMet,
            pointRadius: 2 },
        ],
      },
      options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  const gaps = document.getElementById("gaps-chart");
  if (gaps && data.gaps) {
    const g = data.gaps;
    new window.Chart(gaps, {
      type: "bar",
      data: {
        labels: g.labels,
        datasets: g.criticalities.map(([value, label]) => ({
          label, data: g.series[value], backgroundColor: colours[value] || colours.unknown })),
      },
      options: { ...common, indexAxis: "y",
                 scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } },
    });
  }

  const actions = document.getElementById("actions-chart");
  if (actions && data.actions) {
    new window.Chart(actions, {
      type: "doughnut",
      data: {
        labels: [text.open, text.late],
        datasets: [{ data: [data.actions.open, data.actions.late], backgroundColor: [colours.open, colours.notMet] }],
      },
      options: common,
    });
  }
});
