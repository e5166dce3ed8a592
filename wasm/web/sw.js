// Service worker of the /app page: keeps the page's own files (never any
// API answer: those are health data, and /api is outside this worker's
// scope) so that /app opens without a connection. Every request goes to
// the network first, so a new build is used as soon as it is reachable;
// the kept copy answers only when the network can't. Offline, the sidebar
// then shows the list it kept on this device, with the offline banner.
'use strict';

const CACHE = 'sidenote-app-1';
const PAGE = '/app/';
const FILES = [PAGE, '/app/app.css', '/app/boot.js', '/app/media.js', '/app/wasm_exec.js', '/app/sidebar.wasm'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || !url.pathname.startsWith(PAGE)) return;
  // Every screen's address (/app/sessions/…) is the same page.
  const key = req.mode === 'navigate' ? PAGE : url.pathname;
  if (!FILES.includes(key)) return;
  event.respondWith((async () => {
    try {
      const res = await fetch(req);
      if (res.ok) {
        const copy = res.clone();
        event.waitUntil(caches.open(CACHE).then((c) => c.put(key, copy)));
      }
      return res;
    } catch (err) {
      const kept = await caches.match(key);
      if (kept) return kept;
      throw err;
    }
  })());
});
