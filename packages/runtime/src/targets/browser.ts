// The browser target keeps entries in the tab's memory (an LRU store) by default, and background
// refreshes as promises the runtime holds. `configure({ store: cacheStorageStore() })` shares them
// with the site's other tabs and its service worker, and keeps them across reloads.
// Date.now() itself is the clock: a hidden tab runs its timers about once a minute, and the coarse
// default clock, whose reading a timer renews, would then judge freshness a minute late.
import { setPlatformDefaults } from '../default-cache.js'

setPlatformDefaults(() => ({ now: Date.now }))

export * from '../index.js'
export { CacheStorageStore, cacheStorageStore, type CacheStorageStoreOptions } from '../stores/cache-storage-store.js'
