// The direction's charts (apps/actions/templates/actions/direction.html), drawn by the vendored Chart.js from the
// data the server put in <script type="application/json" id="action-chart-data"> (json_script): no inline
// script, nothing fetched. Without JavaScript the tables under each chart give the same figures.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("action-chart-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const text = data.text;
  const locale = document.documentElement.lang || "fr";
  const day = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit" });
  const colours = { open: "#1f5fa8", late: "#b3261e", onTime: "#e0a100", done: "#2e7d32" };
  const common = { responsive: true, maintainAspectRatio: false, animation: false,
                   plugins: { legend: { position: "bottom" } } };

  const burndown = document.getElementById("burndown-chart");
  if (burndown) {
    new window.Chart(burndown, {
      type: "line",
      data: {
        labels: data.burndown.labels.map((label) => day.format(new Date(label))),
        datasets: [{ label: text.open, data: data.burndown.values, borderColor: colours.open,
                     backgroundColor: colours.open, fill: false, tension: 0.2, pointRadius: 2 }],
      },
      options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  const bySource = document.getElementById("source-chart");
  if (bySource) {
    new window.Chart(bySource, {
      type: "bar",
      data: {
        labels: data.bySource.labels,
        datasets: [
          { label: text.late, data: data.bySource.late, backgroundColor: colours.late },
          { label: text.onTime, data: data.bySource.open, backgroundColor: colours.onTime },
          { label: text.done, data: data.bySource.done, backgroundColor: colours.done },
        ],
      },
      options: { ...common, indexAxis: "y",
                 scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } },
    });
  }
});
