/** A value, or a promise of it: stores may answer synchronously (memory) or not (Redis). */
export type MaybePromise<T> = T | Promise<T>

/** What a store keeps for one key: the fetcher's value and what is needed to judge its age. */
export interface CacheEntry<T = unknown> {
  value: T
  /** Milliseconds (from the cache's clock) at which the fetcher's value was stored. */
  storedAt: number
  /** Freshness lifetime in milliseconds, as the writing call asked. */
  ttlMs: number
  /** How long past `ttlMs` the value may still be served stale, in milliseconds. */
  staleMs: number
  tags?: readonly string[]
  version?: string
}

/** An invalidation, as it travels between instances that share a remote store. */
export type Invalidation = { kind: 'key'; key: string } | { kind: 'tag'; tag: string } | { kind: 'all' }

/**
 * Where entries live. A store only moves entries; every freshness, single-flight and fencing
 * rule lives in the coordinator (`createCache`), so each store inherits them all.
 */
export interface CacheStore {
  get(key: string): MaybePromise<CacheEntry | undefined>
  set(key: string, entry: CacheEntry): MaybePromise<void>
  delete(key: string): MaybePromise<void>
  /** Removes every entry stored with `tag`. */
  deleteTag(tag: string): MaybePromise<void>
  /** Removes every entry of this store (its namespace, for a shared store). */
  clear(): MaybePromise<void>

  /**
   * Optional: a lock shared by every instance, so only one of them refreshes a key. Resolves
   * true when this caller holds it; the store lets it expire by itself if never released.
   */
  acquireLock?(key: string): Promise<boolean>
  releaseLock?(key: string): Promise<void>
  /**
   * Optional: invalidations made by other instances. The coordinator fences its own in-flight
   * fetches with them; returns a function that stops listening.
   */
  subscribe?(listener: (invalidation: Invalidation) => void): () => void
}

export type CacheEvent =
  | { type: 'hit'; key: string; age: number }
  | { type: 'stale'; key: string; age: number }
  | { type: 'miss'; key: string }
  | { type: 'refresh'; key: string }
  | { type: 'error'; key: string; phase: 'miss' | 'refresh' | 'store'; error: unknown }
  | { type: 'invalidate'; key?: string; tag?: string; all?: true; remote?: true }

export interface CacheOptions {
  /**
   * Where entries live.
   * @default an in-memory LRU store bounded by `maxEntries`
   */
  store?: CacheStore
  /**
   * Most entries the default in-memory store keeps; past it the least recently used goes.
   * Ignored when `store` is given (a store is configured on its own).
   * @default 1000
   */
  maxEntries?: number
  /**
   * How long past its ttl a value may still be served while it refreshes, in seconds: the usual
   * `stale-while-revalidate=86400`. After ttl + staleSeconds a caller waits for a fresh fetch.
   * @default 86400
   */
  staleSeconds?: number
  /**
   * After a background refresh fails, the stale value is kept and no refresh of that key is tried
   * again for this many seconds, so a failing backend is not hit by every request.
   * @default 10
   */
  retryAfterSeconds?: number
  /**
   * The clock, in milliseconds. Tests inject one to move time without sleeping.
   * @default Date.now, read at most once per millisecond (reading it costs as much as a hit)
   */
  now?: () => number
  /**
   * Keeps background work alive past the response on platforms that end a request's work when
   * it responds (Workers' `waitUntil`). The Cloudflare target sets it.
   */
  waitUntil?: (work: Promise<unknown>) => void
  /**
   * Called for each hit, stale read, miss, refresh, error and invalidation. It must not throw;
   * if it does, the error is ignored so that reporting never breaks serving.
   * @example configure({ onEvent: (e) => e.type === 'error' && log.warn(e) })
   */
  onEvent?: (event: CacheEvent) => void
}

export interface RevalidateOptions {
  /** Names under which `invalidateTag` finds this entry. */
  tags?: readonly string[]
  /** Overrides the cache's `staleSeconds` for this key. */
  staleSeconds?: number
  /**
   * An entry stored under another version is a miss. Compiled pages pass a hash of their data
   * code, so a deploy that changes what a page loads never reads what the old code wrote.
   */
  version?: string
}

export interface Cache {
  withRevalidate<T>(
    key: string,
    ttlSeconds: number,
    fetcher: () => T | Promise<T>,
    options?: RevalidateOptions,
  ): Promise<T>
  invalidate(key: string): Promise<void>
  invalidateTag(tag: string): Promise<void>
  invalidateAll(): Promise<void>
}
