export { configure, invalidate, invalidateAll, invalidateTag, stats, withRevalidate } from './default-cache.js'
export type { CacheStats, FetchOutcome, FetchReason, LookupResult } from './cache-stats.js'
export { keyPrefix, type KeyAttribute, type MeterProviderLike, type TelemetryOptions, type TracerProviderLike } from './telemetry.js'
export { createCache, DEFAULT_RETRY_AFTER_SECONDS, DEFAULT_STALE_SECONDS } from './cache.js'
export { DEFAULT_LOCK_SECONDS } from './stores/locks.js'
export { DEFAULT_MAX_ENTRIES, MemoryStore, memoryStore, type MemoryStoreOptions } from './stores/memory-store.js'
export { cachePage, type CompiledPage } from './page-cache.js'
export { cacheFunction, key, registerFunction, type CompiledFunction } from './function-cache.js'
export { MAX_FUNCTION_KEY_LENGTH, UNKEYABLE_ARGUMENT } from './function-key.js'
export { isWholePageKey, pageKey, PART_SEPARATOR, type PageKeyOptions } from './page-key.js'
export { replayReads, withReplayedReads, type Read, type Tracking, type TrackedValue } from './replay.js'
export { eventTaps, type EventTap } from './event-taps.js'
export { DEFAULT_MAX_ENTRY_BYTES, deserializeEntry, ENVELOPE_FORMAT, serializeEntry, storedLifetimeSeconds } from './serialize.js'
export { isUncacheableValue, UNCACHEABLE_VALUE } from './value-model.js'
export type {
  Cache,
  CacheEntry,
  CacheEvent,
  CacheOptions,
  CacheStore,
  FetchContext,
  Fetcher,
  Invalidation,
  Lifetime,
  ListEntriesOptions,
  ListedEntry,
  MaybePromise,
  MemoryUsage,
  RevalidateCache,
  RevalidateOptions,
} from './types.js'
