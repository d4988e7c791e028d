// The service-worker target: the default cache keeps entries in Cache Storage under the name the
// site's pages use by default, so pages and the worker share entries and invalidations. No memory
// tier: the worker reads Cache Storage on every request, so a page's invalidation is seen at once
// (the browser stops an idle worker anyway). Refreshes outlive the response through the fetch
// event's `waitUntil` (see serveWithRevalidate).
import { cacheStorageStore } from '../stores/cache-storage-store.js'
import { setPlatformDefaults } from '../default-cache.js'
import { keepAlive } from '../service-worker.js'

setPlatformDefaults(() => ({ store: cacheStorageStore({ memoryMaxEntries: false }), waitUntil: keepAlive }))

export * from '../index.js'
export { CacheStorageStore, cacheStorageStore, type CacheStorageStoreOptions } from '../stores/cache-storage-store.js'
export { serveWithRevalidate, type FetchEventLike, type ServeRule } from '../service-worker.js'
