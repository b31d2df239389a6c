// Live page of an exercise: the clock since DEBEX (T+hh:mm:ss), from the data-debex / data-finex attributes.
(() => {
  const clock = document.querySelector("[data-debex]");
  if (!clock) return;
  const start = Date.parse(clock.dataset.debex);
  const end = clock.dataset.finex ? Date.parse(clock.dataset.finex) : null;
  const pad = (n) => String(n).padStart(2, "0");
  const tick = () => {
    const seconds = Math.max(0, Math.floor(((end || Date.now()) - start) / 1000));
    clock.textContent = `T+${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
  };
  tick();
  if (!end) window.setInterval(tick, 1000);
})();
