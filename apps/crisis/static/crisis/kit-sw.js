// Service worker of the offline crisis kit. It is served by Resilis under /o/<slug>/crise/kit/ and its scope is that
// folder: it only ever sees this organization's kit pages, so it can never cache another organization's kit. It keeps
// the latest copy of the member's kit page (the network first; the cached copy when the server is unreachable).
// The cache is named after the organization and is deleted at logout (crisis/kit-clear.js).
const scope = new URL(self.registration.scope);
const CACHE = `resilis-kit-${scope.pathname}`;
const PAGE = new URL("hors-ligne/", scope).href;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.add(new Request(PAGE, { credentials: "same-origin" }))
    .catch(() => undefined)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.url !== PAGE) return; // only the kit page, nothing else
  event.respondWith(fetch(request).then((response) => {
    if (response.ok && !response.redirected) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(PAGE, copy));
    }
    return response;
  }).catch(() => caches.match(PAGE).then((cached) => cached || Response.error())));
});
