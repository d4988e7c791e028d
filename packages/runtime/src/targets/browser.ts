// The browser target keeps entries in the tab's memory (an LRU store) by default, and background
// refreshes as promises the runtime holds. `configure({ store: cacheStorageStore() })` shares them
// with the site's other tabs and its service worker, and keeps them across reloads.
export * from '../index.js'
export { CacheStorageStore, cacheStorageStore, type CacheStorageStoreOptions } from '../cache-storage-store.js'
