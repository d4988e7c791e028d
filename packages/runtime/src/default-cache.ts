import { createCache } from './cache.js'
import type { CacheStats } from './cache-stats.js'
import { eventTaps } from './event-taps.js'
import type { CacheOptions, Fetcher, RevalidateCache, RevalidateOptions } from './types.js'

/**
 * The process-wide cache behind the top-level functions. It is kept on `globalThis` under a
 * registered symbol so that two copies of this module (a bundled page and an external API
 * route, say) still share one cache: an `invalidate` in one must reach the other's pages.
 */
const SLOT = Symbol.for('@revalidate/runtime:default-cache')
interface DefaultCacheSlot {
  cache?: RevalidateCache
  /** What the deploy target sets up (the Cloudflare store and waitUntil, say), under the user's options. */
  platformDefaults?: () => CacheOptions
  /** Whether the cache was made with an `onEvent`. */
  hasOnEvent?: boolean
  /** The cache was made by configure(), not from the platform's defaults alone. */
  configured?: boolean
}

function slot(): DefaultCacheSlot {
  const global = globalThis as { [SLOT]?: DefaultCacheSlot }
  return (global[SLOT] ??= {})
}

function defaultCache(): RevalidateCache {
  const current = slot()
  if (current.cache !== undefined) return current.cache
  const options = { name: 'default', ...current.platformDefaults?.() }
  current.hasOnEvent = options.onEvent !== undefined
  return (current.cache = createCache(options))
}

/** Whether anyone hears the default cache's events (its onEvent, the event taps): what only they would read need not be worked out otherwise. */
export function defaultCacheReportsEvents(): boolean {
  const current = slot()
  if (current.cache === undefined) defaultCache()
  return current.hasOnEvent === true || eventTaps().size > 0
}

/** For target entries: the options every default cache of this platform starts from. */
export function setPlatformDefaults(defaults: () => CacheOptions): void {
  slot().platformDefaults = defaults
}

/**
 * For a part of the platform that comes up after the app may already have used the default cache
 * (Next.js's cache handlers, loaded on the first request): new defaults, and a default cache made
 * from the old ones is dropped so the next call makes one from these. One made by configure() stays.
 */
export function adoptPlatformDefaults(defaults: () => CacheOptions): void {
  const current = slot()
  current.platformDefaults = defaults
  if (current.cache === undefined || current.configured) return
  current.cache.dispose()
  current.cache = undefined
}

/**
 * Replaces the default cache with one built from `options` (over the target's own defaults).
 * Call it once at start-up: entries and in-flight fetches of the previous default cache are
 * dropped, and it stops listening to its store's invalidations.
 */
export function configure(options: CacheOptions): void {
  const current = slot()
  const merged = { name: 'default', ...current.platformDefaults?.(), ...options }
  const next = createCache(merged)
  current.cache?.dispose()
  current.cache = next
  current.hasOnEvent = merged.onEvent !== undefined
  current.configured = true
}

/**
 * Returns `fetcher()`'s value, cached under `key` for `ttlSeconds`, then served stale while one
 * background refresh runs.
 *
 * `key` and every tag are non-empty, well-formed Unicode: a lone UTF-16 surrogate (half of an
 * emoji, as `text.slice(0, n)` can leave) is a TypeError, since stores would keep it as U+FFFD.
 *
 * A fetcher must not ask for its own key: `withRevalidate(key)` called from inside the fetcher of
 * `key` (or from the fetcher of another key that `key`'s fetcher waits for) rejects with a
 * TypeError when it would wait for a fetch (a miss), since it would wait for itself; a fresh or
 * stale value is still served. Seen through every `await` where `node:async_hooks` exists (Node,
 * Deno, Bun, workerd with nodejs_compat); elsewhere only before the fetcher's first `await`, and
 * a later call waits for the fetch it is part of (until `timeoutSeconds`, if set).
 * @example const posts = await withRevalidate('posts:all', 60, () => Post.all())
 */
export function withRevalidate<T>(
  key: string,
  ttlSeconds: number,
  fetcher: Fetcher<T>,
  options?: RevalidateOptions,
): Promise<T> {
  return defaultCache().withRevalidate(key, ttlSeconds, fetcher, options)
}

/** Drops `key`; a fetch of it already running will not write, and the next read fetches. */
export function invalidate(key: string): Promise<void> {
  return defaultCache().invalidate(key)
}

/** Drops every entry stored with `tag` in its `tags`. */
export function invalidateTag(tag: string): Promise<void> {
  return defaultCache().invalidateTag(tag)
}

/** Drops every entry of the default cache. */
export function invalidateAll(): Promise<void> {
  return defaultCache().invalidateAll()
}

/** What the default cache has done since it was made (see `RevalidateCache.stats`). */
export function stats(): CacheStats {
  return defaultCache().stats()
}
