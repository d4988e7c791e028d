// The blog's service worker: GET /api/posts and /api/posts/<slug> are answered from Cache Storage
// with the runtime's rules (fresh from cache, stale at once while one refresh runs, a miss fetched
// once). The pages' invalidateTag('posts') reaches these entries: one cache, one channel.
import { serveWithRevalidate } from '@revalidate/runtime/service-worker'

self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()))
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))
self.addEventListener('fetch', (event) => {
  serveWithRevalidate(event, { match: '/api/posts', ttl: 60, tags: ['posts'] })
})
