import type { CacheStats } from './cache-stats.js'
import type { TelemetryOptions } from './telemetry.js'

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

/**
 * When a tag was revalidated, for caches that judge an entry by when it was made (Next.js's
 * `'use cache'` and ISR). Milliseconds since the epoch.
 */
export interface TagRevalidation {
  /** An entry made before it is served stale while it is made again. */
  stale?: number
  /** An entry made before it is a miss (an expiry at once: `updateTag`, `revalidatePath`). */
  expired?: number
  /** An entry made before it is a miss once it has come (an expiry to come: `revalidateTag(tag, profile)`). */
  expires?: number
}

/** An invalidation, as it travels between instances that share a remote store. */
export type Invalidation = { kind: 'key'; key: string } | { kind: 'tag'; tag: string } | { kind: 'all' }

/**
 * Where entries live. A store only moves entries; every freshness, single-flight and fencing
 * rule lives in the coordinator (`createCache`), so each store inherits them all.
 */
export interface CacheStore {
  get(key: string): MaybePromise<CacheEntry | undefined>
  /**
   * Keeps `entry` under `key`. `fence` is what this store's `writeFence` gave when the fetch that
   * made the entry began (undefined when the store has none, or could not give one): a store that
   * takes it refuses the write, quietly, if an invalidation of the key, of one of `entry.tags` or
   * of everything reached the store after it.
   */
  set(key: string, entry: CacheEntry, fence?: unknown): MaybePromise<void>
  /**
   * Optional, for a store shared by several instances: a mark of where a fetch of `key` with `tags`
   * (those known when it begins) begins among the invalidations the store has recorded, taken by
   * the coordinator just before it calls the fetcher (never on a hit) and handed to `set` with the
   * fetcher's value. It undoes a write that another instance's invalidation overtook on its way,
   * before that instance's message fenced the fetch here.
   */
  writeFence?(key: string, tags: readonly string[]): MaybePromise<unknown>
  delete(key: string): MaybePromise<void>
  /** Removes every entry stored with `tag`. */
  deleteTag(tag: string): MaybePromise<void>
  /**
   * Optional, for stores that can tell at once: whether an entry has this key, or this tag.
   * Lets `invalidate('page:<path>')` say when it reached nothing.
   */
  holds?(keyOrTag: string): boolean
  /** Removes every entry of this store (its namespace, for a shared store). */
  clear(): MaybePromise<void>

  /**
   * Optional: a lock shared by every instance, so only one of them fetches a key at a time. One
   * lock per fetch: resolves a token when this caller now holds the lock, `undefined` when
   * another holder has it. The store lets a lock expire by itself after `lockSeconds`. `version`
   * is the fetch's (`RevalidateOptions.version`): fetches of two versions (a deploy's old and new
   * code) do not wait for each other, and a store that takes in another instance's value while it
   * waits (the Cloudflare coordinator's fills) takes only a value of that version.
   */
  acquireLock?(key: string, version?: string): Promise<string | undefined>
  /** Releases the lock `token` holds, and only that one: a lock taken since by another fetch stays. */
  releaseLock?(key: string, token: string): Promise<void>
  /**
   * How long a lock lives before it expires by itself. The coordinator waits for another holder
   * at most this long, then fetches without the lock: a lock nobody releases never hangs callers.
   * @default 30 (when the store has locks and does not say)
   */
  readonly lockSeconds?: number
  /**
   * Optional: invalidations made by other instances. The coordinator fences its own in-flight
   * fetches with them; returns a function that stops listening (a cache that `configure()`
   * replaces calls it, so one store does not deliver each invalidation to every cache it ever had).
   * `onError`, when the store takes it, hears of failures of work the store does on its own, which
   * no call could report: an invalidation kept to be applied later (named by `invalidation`),
   * one refused when it was. The coordinator reports each as `{ type: 'error', phase: 'store' }`.
   */
  subscribe?(listener: (invalidation: Invalidation) => void, onError?: (error: unknown, invalidation?: Invalidation) => void): () => void

  /**
   * Optional, for a store shared by several instances: records when tags were revalidated where
   * every instance reads it, merged with what is recorded (the later time of each kind wins).
   * While the store is unreachable it keeps them and records them once it is back, as it does
   * invalidations; never rejects for an outage.
   */
  recordTagRevalidations?(revalidations: Record<string, TagRevalidation>): Promise<void>
  /**
   * Optional, with `recordTagRevalidations`: calls `listener` with the whole record once it is read
   * (again after each reconnection, since messages may have been missed meanwhile), and with what
   * other instances record, as they record it. Returns a function that stops listening.
   */
  watchTagRevalidations?(listener: (revalidations: Record<string, TagRevalidation>) => void): () => void

  /**
   * Optional: the entries this store holds, for the inspector (`@revalidate/runtime/inspector`).
   * Read in batches of at most `batchSize` (one round trip each for a remote store), so listing a
   * large store never holds it, nor this process's memory, for long. Entries written or removed
   * while the listing runs may or may not be listed. Only what this store can see is listed (the
   * Cloudflare store: this isolate's memory tier).
   */
  entries?(options?: ListEntriesOptions): AsyncIterable<ListedEntry>
  /**
   * Optional: what the store keeps in this process's memory now (its memory tier), read at once
   * (a getter): the gauges `revalidate.store.entries` and `revalidate.store.bytes`, and `stats()`.
   * `bytes` where the store measures them (serialized, UTF-8).
   */
  readonly memoryUsage?: MemoryUsage
  /** A short name of the kind of store (`memory`, `redis`, `cloudflare`, `cache-storage`), for telemetry and the inspector. */
  readonly kind?: string
}

export interface ListEntriesOptions {
  /**
   * Most entries read in one step.
   * @default 100
   */
  batchSize?: number
}

/** One entry, as a store lists it. */
export interface ListedEntry {
  key: string
  entry: CacheEntry
  /** Its size serialized (UTF-8), where the store knows it. */
  bytes?: number
}

export interface MemoryUsage {
  entries: number
  bytes?: number
}

export type CacheEvent =
  /** `warm`: the call was a compiled page's, for a warm-up request (`x-revalidate-warm: 1`, sent by `revalidate warm`); served as any other. */
  | { type: 'hit'; key: string; age: number; warm?: true }
  | { type: 'stale'; key: string; age: number; warm?: true }
  /** A caller that found no servable entry; `joined` when it waits for a fetch another caller started. */
  | { type: 'miss'; key: string; joined?: true; warm?: true }
  | { type: 'refresh'; key: string }
  /**
   * `key` is '' when the error is not about one key: then `tag` or `all` names the invalidation it
   * is about (onInvalidate failing for `invalidateTag('posts')`: `{ key: '', tag: 'posts' }`).
   */
  | { type: 'error'; key: string; tag?: string; all?: true; phase: 'miss' | 'refresh' | 'store' | 'hook'; error: unknown }
  /** `held: false`: the key of a page that nothing here caches (no entry, no platform cache to tell). */
  | { type: 'invalidate'; key?: string; tag?: string; all?: true; remote?: true; held?: false }

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
   * Longest a fetch may take, in seconds, unless a call sets its own: then its signal is aborted,
   * a miss rejects its callers with a `TimeoutError` and a refresh counts as failed.
   * @default none (a fetch may take as long as it takes)
   */
  timeoutSeconds?: number
  /**
   * Keeps background work alive past the response on platforms that end a request's work when
   * it responds (Workers' `waitUntil`). The Cloudflare target sets it. If it throws or returns a
   * rejected promise, that is reported (`{ type: 'error', phase: 'hook' }`) and the refresh goes on.
   */
  waitUntil?: (work: Promise<unknown>) => unknown
  /**
   * Called for each hit, stale read, miss, refresh, error and invalidation. If it throws or
   * returns a rejected promise, that is ignored, so reporting never breaks serving.
   * @example configure({ onEvent: (e) => e.type === 'error' && log.warn(e) })
   */
  onEvent?: (event: CacheEvent) => unknown
  /**
   * Called with every invalidation made through this cache (not those from other instances),
   * after the store has applied it, and awaited by `invalidate`: another cache to clear along
   * with ours. Inside Next.js the node target sets it to Next's own `revalidatePath` and
   * `revalidateTag`. A throw or rejection is reported through `onEvent`, never thrown.
   * @example configure({ onInvalidate: (i) => i.kind === 'key' && purgeCdn(i.key) })
   */
  onInvalidate?: (invalidation: Invalidation) => unknown
  /**
   * OpenTelemetry metrics and traces (docs/observability.md): `true` reports to the providers
   * registered with `@opentelemetry/api` (an optional peer dependency; Node, Bun and Deno find it
   * by themselves), or pass the providers, and what of a key goes out. Off, or without the API,
   * it costs nothing.
   * @default false
   * @example configure({ telemetry: true })
   * @example createCache({ telemetry: { meterProvider, tracerProvider, keyAttribute: 'none' } })
   */
  telemetry?: boolean | TelemetryOptions
  /**
   * Names the cache in telemetry (`revalidate.cache`), in `stats()` and in the inspector.
   * @default 'default' for the default cache, `cache-<n>` for the n-th cache made otherwise
   */
  name?: string
}

/** What a fetcher receives. */
export interface FetchContext {
  /**
   * Aborted when this fetch is no longer wanted: an invalidation fenced it, or its
   * `timeoutSeconds` passed. Hand it to `fetch()` or your database client.
   */
  signal: AbortSignal
  /**
   * For a value whose lifetime is known only once it is fetched (an HTTP response's own
   * `Cache-Control`, say): how the entry this fetch writes is kept. `ttlSeconds` and
   * `staleSeconds` replace the call's, `tags` join the call's; `false` writes nothing, and every
   * caller waiting on this fetch still gets the value. The call's own ttl and staleSeconds still
   * bound it: an entry is fresh only while younger than both ttls.
   * @example withRevalidate(key, ONE_YEAR, async ({ keepFor }) => { const page = await render(); keepFor({ ttlSeconds: page.maxAge }); return page })
   */
  keepFor(lifetime: Lifetime | false): void
}

/** What a fetcher chose for the entry it writes (`FetchContext.keepFor`). */
export interface Lifetime {
  ttlSeconds: number
  /** @default the call's staleSeconds */
  staleSeconds?: number
  /** Names under which `invalidateTag` finds the entry, besides the call's. A fetch already overtaken by an invalidation of one of them writes nothing. */
  tags?: readonly string[]
}

/** Computes the value of a key; it receives a signal that is aborted when the fetch is no longer wanted. */
export type Fetcher<T> = (context: FetchContext) => T | Promise<T>

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
  /**
   * Longest this fetch may take, in seconds (overrides the cache's `timeoutSeconds`). Callers
   * that join a fetch already running wait under that fetch's timeout.
   */
  timeoutSeconds?: number
}

/** What `createCache()` returns; the top-level functions use one of these (the default cache). */
export interface RevalidateCache {
  /** As the top-level `withRevalidate`: its key rule and its rule for a fetcher that asks for its own key hold here too. */
  withRevalidate<T>(key: string, ttlSeconds: number, fetcher: Fetcher<T>, options?: RevalidateOptions): Promise<T>
  invalidate(key: string): Promise<void>
  invalidateTag(tag: string): Promise<void>
  invalidateAll(): Promise<void>
  /**
   * What the cache has done since it was made: lookups by result, fetches, refreshes by outcome,
   * errors, invalidations, what its store keeps in memory, and the keys looked up most and those
   * whose fetches took longest (estimated in a fixed space, however many keys pass through).
   */
  stats(): CacheStats
  /**
   * Stops listening to the store's invalidations from other instances. Fetches in flight finish;
   * the store is not closed (others may share it). `configure()` calls it on the cache it replaces.
   */
  dispose(): void
}

/** @deprecated Renamed `RevalidateCache`: `Cache` shadows the platform's Cache API type. */
export type Cache = RevalidateCache
