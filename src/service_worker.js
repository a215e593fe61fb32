// The service worker (issue #31): the app on a phone's home screen keeps working offline. The
// server serves it as `/sw.js` with these constants before it (`src/service_worker.rs`):
//   VERSION  this build's bundle (its files' hashes): a new deploy is a new worker
//   SHELL    the files every page needs, fetched when the worker installs
//   HASHED   whether `/pkg/` names carry their content hash (release builds)
//
// Pages are always asked of the network first, so an online rider never sees a stale page or
// stale counts. The rider's pages (`/` and `/stations/{id}`) are kept as last seen. When the
// network fails, the kept copy is shown under "Offline: counts as of 09:41", and the page
// reloads itself once the server answers again; when it gives no answer within a few seconds
// (one bar of signal), the copy is shown as "Slow connection" and the live page is kept for
// next time. Bundle files under hashed names never change and are served from the cache.
const SHELL_CACHE = `shell-${VERSION}`;
const PAGES = "pages";
/// Files served from the cache when the network fails: the bundle, the map, icons, scripts.
const STATIC = /^\/(pkg|map|icons)\/|^\/(favicon\.svg|manifest\.webmanifest|locate\.js|push\.js)$/;
/// How long a page may take before the kept copy is shown instead (the request goes on, and
/// its answer is kept for next time).
const PATIENCE_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      // A new deploy's worker takes over at once: pages come from the network either way, so
      // no page is left with an old bundle.
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
    // The kept pages name the previous build's files, dropped above: fetched again now (a
    // worker is installed online), so that they work offline with this build's.
    const kept = await caches.open(PAGES);
    const urls = (await kept.keys()).map((r) => new URL(r.url));
    await Promise.all(urls.map((url) => fetch(url).then((r) => r.ok && keep(url, r)).catch(() => {})));
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.method === "POST" && ["/api/logout", "/api/login", "/api/register"].includes(url.pathname)) {
    // Another person may use this phone next: the pages kept for the last one are dropped,
    // and this browser's push subscription ends (its push service then answers 410, and the
    // server forgets the device), so the last one's notifications stop coming here.
    event.waitUntil(Promise.all([
      caches.delete(PAGES),
      self.registration.pushManager.getSubscription().then((s) => s && s.unsubscribe()).catch(() => {}),
    ]));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(page(event, url));
  } else if (STATIC.test(url.pathname)) {
    event.respondWith(file(request, url));
  }
});

/// A rider's page whose copy is kept for offline use.
function kept(url) {
  return url.pathname === "/" || /^\/stations\/\d+$/.test(url.pathname);
}

async function page(event, url) {
  const network = fetch(event.request);
  if (kept(url)) {
    // Kept whenever it arrives, even after the copy has been shown in its place.
    event.waitUntil(network.then((response) => response.ok && keep(url, response.clone())).catch(() => {}));
  } else {
    return network.catch(() => offlinePage("This page needs a connection."));
  }
  const late = new Promise((resolve) => setTimeout(() => resolve("late"), PATIENCE_MS));
  const first = await Promise.race([network.catch(() => "failed"), late]);
  // A proxy's 502 while the servers restart is no page either.
  if (first instanceof Response && first.status < 500) return first;
  const copy = await copyOf(url, first === "late" ? "slow" : "offline");
  if (copy) return copy;
  return network.catch(() => offlinePage("This page has not been opened on this phone yet, so there is no copy of it."));
}

/// Keeps the page's HTML with the time it was fetched.
async function keep(url, response) {
  const html = await response.text();
  const headers = new Headers(response.headers);
  headers.set("x-kept-at", new Date().toISOString());
  const cache = await caches.open(PAGES);
  await cache.put(key(url), new Response(html, { status: 200, headers }));
}

/// One copy per page, whatever its query (`/?near=…` is `/`).
function key(url) {
  return new Request(url.origin + url.pathname);
}

/// The kept copy, saying it is one, since when, and why (`offline`: the page reloads itself
/// once the server answers; `slow`: the live page is on its way, kept for next time).
async function copyOf(url, why) {
  const cache = await caches.open(PAGES);
  const response = await cache.match(key(url));
  if (!response) return null;
  const at = new Date(response.headers.get("x-kept-at"));
  const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const text = why === "offline"
    ? `Offline: counts as of ${time}. The page updates itself when you are back online.`
    : `Slow connection: counts as of ${time}, until the live ones arrive.`;
  const note = `<p class="form-error offline-note" id="offline-note" data-why="${why}" role="status">${text}</p>`;
  const html = (await response.text()).replace(/<main([^>]*)>/, `<main$1>${note}`);
  return new Response(html, { status: 200, headers: response.headers });
}

function offlinePage(why) {
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline · battery-swap</title><link rel="stylesheet" href="${SHELL.find((f) => f.endsWith(".css"))}"></head><body><main><h1>You are offline</h1><p class="offline-note" id="offline-note" data-why="offline">${why}</p><p><a href="/">The stations as last seen</a></p></main></body></html>`;
  const reload = `<script>addEventListener("online", () => location.reload())</script>`;
  return new Response(html.replace("</body>", `${reload}</body>`), { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
}

/// Bundle and map files: under a hashed name from the cache for good; otherwise from the
/// network, the cached copy when offline.
async function file(request, url) {
  const cache = await caches.open(SHELL_CACHE);
  const hashed = HASHED && url.pathname.startsWith("/pkg/") && /\.[A-Za-z0-9_-]{22}\./.test(url.pathname);
  if (hashed) {
    const found = await cache.match(request);
    if (found) return found;
  }
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const found = await cache.match(request);
    if (found) return found;
    throw e;
  }
}

// Push (`src/push.rs` sends, `public/push.js` turns it on): each push is one notification,
// shown whether or not a tab is open; tapping it opens its page, in a tab already open if any.
self.addEventListener("push", (event) => {
  let note = {};
  try {
    note = event.data ? event.data.json() : {};
  } catch {
    note = { message: event.data?.text() };
  }
  event.waitUntil(self.registration.showNotification(note.title || "battery-swap", {
    body: note.message || "",
    tag: note.tag,
    icon: "/icons/icon-192.png",
    badge: "/favicon.svg",
    data: { url: note.url || "/notifications" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || "/notifications", location.origin).href;
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const same = open.find((c) => c.url === url);
    if (same) return same.focus();
    // Another tab of the app, if the worker controls it, goes to the page; else a new one.
    for (const tab of open) {
      try {
        await tab.focus();
        if (await tab.navigate(url)) return;
      } catch {
        // Not this worker's to navigate.
      }
    }
    await self.clients.openWindow(url);
  })());
});
