// The site's service worker: just enough for a door scanner to open with no network
// after one visit. It keeps the app shell (index.html and the built files it names);
// pages are asked of the network first (3 s at most) and fall back to the kept shell,
// the single-page app routing in the browser. The API's answers are never kept here:
// the scanner keeps its own data in IndexedDB.

const CACHE = 'shell-v1';
const SHELL = '/index.html';
const NAVIGATION_TIMEOUT_MS = 3000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    fetch('/', { cache: 'no-cache' })
      .then((response) => (response.ok ? keepShell(response) : undefined))
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith('/assets/')) {
    // Vite's hashed file names never change content: kept ones are good forever.
    event.respondWith(asset(request));
  }
  // Anything else (the API, /config.json) goes to the network as usual.
});

async function navigation(request) {
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    if (response.ok && (response.headers.get('content-type') || '').startsWith('text/html')) {
      // Every page of the site is the same index.html: keep the newest.
      keepShell(response.clone()).catch(() => undefined);
    }
    return response;
  } catch {
    const cache = await caches.open(CACHE);
    const shell = await cache.match(SHELL);
    return shell || new Response('You are offline and this site was not kept on this device yet.', {
      status: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

/** Keeps index.html and the built files it names; drops built files it no longer names. */
async function keepShell(response) {
  const html = await response.clone().text();
  const cache = await caches.open(CACHE);
  await cache.put(SHELL, response);
  const wanted = new Set();
  for (const match of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) wanted.add(match[1]);
  for (const path of wanted) {
    if (!(await cache.match(path))) {
      const file = await fetch(path);
      if (file.ok) await cache.put(path, file);
    }
  }
  for (const key of await cache.keys()) {
    const path = new URL(key.url).pathname;
    if (path.startsWith('/assets/') && !wanted.has(path)) await cache.delete(key);
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
