/**
 * The Next.js cache of this process (next-cache.ts), where every copy of the runtime finds it: the
 * handler modules Next loads by path, and the copies Next bundles into pages and route handlers.
 * Kept on `globalThis` under a registered symbol, as the default cache is; this module imports
 * nothing, so the node target reads it without loading the handlers.
 */
import type { CacheOptions, CacheStore } from '../types.js'

const SLOT = Symbol.for('@revalidate/runtime:next-cache')

/** What the rest of the runtime needs from the Next.js cache of this process. */
export interface InstalledNextCache {
  /** The store Next's entries live in; the default cache keeps its entries there too. */
  readonly store: CacheStore
  /** What the default cache starts from inside this Next.js server: the same store, and invalidations that reach Next's entries. */
  defaultCacheOptions(): CacheOptions
  /** What the memory tier holds now. */
  usage(): NextCacheUsage
}

export interface NextCacheUsage {
  /** Entries in memory. */
  entries: number
  /** Their size in bytes, as the memory tier counts it (serialized UTF-8). */
  bytes: number
  /** The bound on `bytes`. */
  maxBytes: number
}

export function installedNextCache(): InstalledNextCache | undefined {
  return (globalThis as { [SLOT]?: InstalledNextCache })[SLOT]
}

export function installNextCache(cache: InstalledNextCache): void {
  ;(globalThis as { [SLOT]?: InstalledNextCache })[SLOT] = cache
}

/**
 * What the memory tier of this process's Next.js cache holds, for a health or debug route; undefined
 * when the handlers are not in use here (not configured, or not loaded yet).
 */
export function nextCacheUsage(): NextCacheUsage | undefined {
  return installedNextCache()?.usage()
}
