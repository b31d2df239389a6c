// Live page of a crisis: the clock since activation and every countdown (data-deadline) tick each second between
// the htmx refreshes of the panel; a countdown past its deadline turns red ("exceeded"). No inline script (CSP).
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const label = (seconds) => {
    const sign = seconds < 0 ? "-" : "";
    const s = Math.abs(Math.trunc(seconds));
    const days = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    return days ? `${sign}${days} j ${h} h ${pad(m)}` : `${sign}${h} h ${pad(m)} min ${pad(s % 60)} s`;
  };
  const tick = () => {
    const now = Date.now();
    const clock = document.querySelector("[data-since]");
    if (clock) {
      const end = clock.dataset.until ? Date.parse(clock.dataset.until) : now;
      clock.textContent = label((end - Date.parse(clock.dataset.since)) / 1000);
    }
    if (clock && clock.dataset.until) return; // closed: the panel shows the times at closing
    document.querySelectorAll(".countdown[data-deadline]").forEach((el) => {
      const left = (Date.parse(el.dataset.deadline) - now) / 1000;
      const out = el.querySelector(".left");
      if (out) out.textContent = label(left);
      el.classList.toggle("exceeded", left < 0);
      const row = el.closest(".crisis-clock");
      if (row && left < 0) row.classList.add("exceeded");
    });
  };
  document.addEventListener("DOMContentLoaded", () => {
    tick();
    window.setInterval(tick, 1000);
  });
})();
