// Install the offline kit's service worker for this organization (kit register page): see crisis/kit-sw.js.
(() => {
  const holder = document.querySelector("[data-kit-sw]");
  if (!holder || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(holder.dataset.kitSw, { scope: holder.dataset.kitScope }).then(() => {
    holder.hidden = false;
  }).catch(() => undefined);
})();
