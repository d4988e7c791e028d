// @revalidate/runtime/next: our coordinator and stores as Next.js's own cache handlers. The
// ready-made modules are `@revalidate/runtime/next/use-cache` (cacheHandlers) and
// `@revalidate/runtime/next/cache-handler` (cacheHandler); these factories are for handler files
// of your own (a Redis client you made, an onEvent hook).
export { createIncrementalCacheHandler, type IncrementalCacheContext, type IncrementalCacheControl, type IncrementalCacheHandler, type IncrementalCacheHandlerValue, type IncrementalCacheValue, type IncrementalGetContext, type IncrementalSetContext } from './incremental-cache-handler.js'
export { nextCacheUsage, type NextCacheUsage } from './installed.js'
export { DEFAULT_NEXT_MAX_ENTRIES, DEFAULT_NEXT_MAX_MEMORY_BYTES, type NextCacheOptions } from './next-cache.js'
export { NEXT_CACHE_SETTINGS_ENV, type NextCacheSettings } from './settings.js'
export { createUseCacheHandler, type UseCacheEntry, type UseCacheHandler } from './use-cache-handler.js'
