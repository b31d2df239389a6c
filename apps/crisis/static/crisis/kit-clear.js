// Logged out (or never logged in): remove the offline crisis kits this browser kept (crisis/kit-sw.js), so that the
// personal phone numbers they hold do not stay on a shared laptop.
(() => {
  if (window.caches) {
    window.caches.keys().then((keys) => keys.filter((k) => k.startsWith("resilis-kit-")).forEach((k) => window.caches.delete(k)));
  }
  if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
    navigator.serviceWorker.getRegistrations().then((regs) => regs.forEach((reg) => {
      if (new URL(reg.scope).pathname.includes("/crise/kit/")) reg.unregister();
    }));
  }
})();
