import { coarseNow } from './clock.js'
import { MemoryStore } from './memory-store.js'
import type {
  Cache,
  CacheEntry,
  CacheEvent,
  CacheOptions,
  CacheStore,
  Invalidation,
  RevalidateOptions,
} from './types.js'
import { checkKey, checkRevalidateCall, checkSeconds } from './validate.js'

export const DEFAULT_STALE_SECONDS = 86_400
export const DEFAULT_RETRY_AFTER_SECONDS = 10
/** How many keys' refresh-failure times are remembered; older ones are forgotten first. */
const MAX_REMEMBERED_FAILURES = 10_000
/** Longest pause between two looks for another instance's value while it holds the lock. */
const MAX_LOCK_POLL_MS = 100

/**
 * One fetch of one key, shared by every caller that arrives while it runs. `fenced` is set
 * when an invalidation overtakes it: its callers still get its value, the cache does not.
 */
interface Flight {
  readonly tags: readonly string[]
  promise: Promise<unknown>
  fenced: boolean
  /** A caller that missed is waiting on this refresh, so it must fetch even without the lock. */
  awaited: boolean
}

interface ResolvedOptions {
  store: CacheStore
  staleMs: number
  retryAfterMs: number
  now: () => number
  onEvent: ((event: CacheEvent) => void) | undefined
  waitUntil: ((work: Promise<unknown>) => void) | undefined
}

function resolveOptions(options: CacheOptions): ResolvedOptions {
  const staleSeconds = options.staleSeconds ?? DEFAULT_STALE_SECONDS
  const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS
  const bad =
    checkSeconds('createCache', 'staleSeconds', staleSeconds) ??
    checkSeconds('createCache', 'retryAfterSeconds', retryAfterSeconds)
  if (bad) throw bad
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('createCache: now must be a function returning milliseconds')
  }
  return {
    store: options.store ?? new MemoryStore({ maxEntries: options.maxEntries }),
    staleMs: staleSeconds * 1000,
    retryAfterMs: retryAfterSeconds * 1000,
    now: options.now ?? coarseNow,
    onEvent: options.onEvent,
    waitUntil: options.waitUntil,
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function'
}

/**
 * The coordinator: owns every stale-while-revalidate rule over any store.
 *
 *   age < ttl                   -> cached value (hit)
 *   ttl <= age < ttl + stale    -> cached value at once, one background refresh per key (stale)
 *   no entry, other version,
 *   or age >= ttl + stale       -> one fetch per key, shared by all waiting callers (miss)
 */
class Coordinator implements Cache {
  readonly #store: CacheStore
  readonly #staleMs: number
  readonly #retryAfterMs: number
  readonly #now: () => number
  readonly #onEvent: ((event: CacheEvent) => void) | undefined
  readonly #waitUntil: ((work: Promise<unknown>) => void) | undefined
  readonly #flights = new Map<string, Flight>()
  /** Store reads on their way, by key (stores that answer asynchronously). */
  readonly #reads = new Map<string, Promise<CacheEntry | undefined>>()
  /** When a key whose refresh failed may be refreshed again. */
  readonly #retryAt = new Map<string, number>()

  constructor(options: CacheOptions) {
    const resolved = resolveOptions(options)
    this.#store = resolved.store
    this.#staleMs = resolved.staleMs
    this.#retryAfterMs = resolved.retryAfterMs
    this.#now = resolved.now
    this.#onEvent = resolved.onEvent
    this.#waitUntil = resolved.waitUntil
    this.#store.subscribe?.((invalidation) => this.#fence(invalidation, true))
  }

  withRevalidate<T>(
    key: string,
    ttlSeconds: number,
    fetcher: () => T | Promise<T>,
    options?: RevalidateOptions,
  ): Promise<T> {
    // The common call (a key, a ttl, a function, no options) is checked inline; the hot path is short.
    const plain = typeof key === 'string' && key !== '' && typeof ttlSeconds === 'number' && ttlSeconds > 0 && ttlSeconds !== Infinity && typeof fetcher === 'function' && options === undefined
    const bad = plain ? undefined : checkRevalidateCall(key, ttlSeconds, fetcher, options)
    if (bad) return Promise.reject(bad)
    const pending = this.#reads.size === 0 ? undefined : this.#reads.get(key)
    if (pending !== undefined) return pending.then((entry) => this.#serve(key, entry, ttlSeconds, fetcher, options))
    const read = this.#read(key)
    if (isPromise(read)) {
      return this.#shareRead(key, read).then((entry) => this.#serve(key, entry, ttlSeconds, fetcher, options))
    }
    return this.#serve(key, read, ttlSeconds, fetcher, options)
  }

  /** The store's entry for `key`; a store that fails (by throwing or rejecting) is reported and read as a miss. */
  #read(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    let read: CacheEntry | undefined | Promise<CacheEntry | undefined>
    try {
      read = this.#store.get(key)
    } catch (error) {
      this.#emitStoreError(key, error)
      return undefined
    }
    if (!isPromise(read)) return read
    return read.catch((error: unknown) => {
      this.#emitStoreError(key, error)
      return undefined
    })
  }

  /**
   * Callers that arrive while a store read of their key is on its way wait for that same read, so
   * they all reach #serve together and share one fetch even when the fetch fails at once.
   */
  #shareRead(key: string, read: Promise<CacheEntry | undefined>): Promise<CacheEntry | undefined> {
    this.#reads.set(key, read)
    void read.then(() => {
      if (this.#reads.get(key) === read) this.#reads.delete(key)
    })
    return read
  }

  async invalidate(key: string): Promise<void> {
    const bad = checkKey('invalidate', 'key', key)
    if (bad) throw bad
    this.#fence({ kind: 'key', key }, false)
    await this.#store.delete(key)
  }

  async invalidateTag(tag: string): Promise<void> {
    const bad = checkKey('invalidateTag', 'tag', tag)
    if (bad) throw bad
    this.#fence({ kind: 'tag', tag }, false)
    await this.#store.deleteTag(tag)
  }

  async invalidateAll(): Promise<void> {
    this.#fence({ kind: 'all' }, false)
    await this.#store.clear()
  }

  #serve<T>(
    key: string,
    entry: CacheEntry | undefined,
    ttlSeconds: number,
    fetcher: () => T | Promise<T>,
    options: RevalidateOptions | undefined,
  ): Promise<T> {
    const ttlMs = ttlSeconds * 1000
    if (entry !== undefined && entry.version === options?.version) {
      const age = this.#now() - entry.storedAt
      if (age < ttlMs) {
        if (this.#onEvent) this.#emit({ type: 'hit', key, age })
        return Promise.resolve(entry.value as T)
      }
      const staleMs = this.#staleMsFor(options)
      if (age < ttlMs + staleMs) {
        if (this.#onEvent) this.#emit({ type: 'stale', key, age })
        this.#refreshInBackground(key, fetcher, ttlMs, staleMs, options)
        return Promise.resolve(entry.value as T)
      }
    }
    const running = this.#flights.get(key)
    if (running !== undefined) {
      running.awaited = true
      return running.promise as Promise<T>
    }
    this.#emit({ type: 'miss', key })
    return this.#startFlight(key, fetcher, ttlMs, this.#staleMsFor(options), options, 'miss').promise as Promise<T>
  }

  #staleMsFor(options: RevalidateOptions | undefined): number {
    return options?.staleSeconds === undefined ? this.#staleMs : options.staleSeconds * 1000
  }

  #refreshInBackground<T>(
    key: string,
    fetcher: () => T | Promise<T>,
    ttlMs: number,
    staleMs: number,
    options: RevalidateOptions | undefined,
  ): void {
    if (this.#flights.has(key)) return
    const retryAt = this.#retryAt.get(key)
    if (retryAt !== undefined && this.#now() < retryAt) return
    const flight = this.#startFlight(key, fetcher, ttlMs, staleMs, options, 'refresh')
    // Stale readers already have their value; a failed refresh is reported, never thrown.
    const settled = flight.promise.catch(() => {})
    try {
      this.#waitUntil?.(settled)
    } catch (error) {
      this.#emitStoreError(key, error) // outside a request, the platform may refuse; the refresh still runs
    }
  }

  #startFlight<T>(
    key: string,
    fetcher: () => T | Promise<T>,
    ttlMs: number,
    staleMs: number,
    options: RevalidateOptions | undefined,
    phase: 'miss' | 'refresh',
  ): Flight {
    const flight: Flight = { tags: options?.tags ?? [], promise: Promise.resolve(), fenced: false, awaited: phase === 'miss' }
    const leave = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key)
    }
    const run = async (): Promise<T> => {
      let holdsLock = false
      if (this.#store.acquireLock !== undefined && phase === 'refresh') {
        holdsLock = await this.#winLock(key)
        if (!holdsLock && !flight.awaited) {
          // Another instance refreshes this key; stale readers keep being served meanwhile.
          leave()
          return undefined as T
        }
      } else if (this.#store.acquireLock !== undefined) {
        const other = await this.#lockOrOtherInstancesValue(key, ttlMs + staleMs, options)
        if (other.entry !== undefined) {
          leave()
          return other.entry.value as T
        }
        holdsLock = other.holdsLock
      }
      if (phase === 'refresh') this.#emit({ type: 'refresh', key })
      try {
        const value = await fetcher()
        if (!flight.fenced) await this.#write(key, value, ttlMs, staleMs, options)
        return value
      } catch (error) {
        if (phase === 'refresh' && !flight.fenced) this.#rememberFailure(key)
        this.#emit({ type: 'error', key, phase, error })
        // A fetcher can fail before this tick ends; callers arriving in the same tick share the failure.
        await null
        throw error
      } finally {
        leave()
        if (holdsLock) this.#releaseLock(key)
      }
    }
    this.#flights.set(key, flight)
    flight.promise = run()
    return flight
  }

  async #write(key: string, value: unknown, ttlMs: number, staleMs: number, options: RevalidateOptions | undefined) {
    const entry: CacheEntry = { value, storedAt: this.#now(), ttlMs, staleMs }
    if (options?.tags?.length) entry.tags = options.tags
    if (options?.version !== undefined) entry.version = options.version
    this.#retryAt.delete(key)
    try {
      await this.#store.set(key, entry)
    } catch (error) {
      // The caller still gets the value; only caching it failed.
      this.#emitStoreError(key, error)
    }
  }

  /**
   * A miss on a store shared by several instances: take the key's lock and fetch, or, while
   * another instance holds it, wait for the value it writes instead of calling the fetcher too.
   * The lock expires by itself, so a holder that dies or fails leaves the fetch to the next one.
   */
  async #lockOrOtherInstancesValue(
    key: string,
    servableMs: number,
    options: RevalidateOptions | undefined,
  ): Promise<{ entry?: CacheEntry; holdsLock: boolean }> {
    const servable = (entry: CacheEntry | undefined): entry is CacheEntry =>
      entry !== undefined && entry.version === options?.version && this.#now() - entry.storedAt < servableMs
    for (let delayMs = 5; ; delayMs = Math.min(delayMs * 2, MAX_LOCK_POLL_MS)) {
      if (await this.#winLock(key)) {
        // The last holder may have written and let go just before we took the lock.
        const entry = await this.#read(key)
        if (!servable(entry)) return { holdsLock: true }
        this.#releaseLock(key)
        return { entry, holdsLock: false }
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      const entry = await this.#read(key)
      if (servable(entry)) return { entry, holdsLock: false }
    }
  }

  async #winLock(key: string): Promise<boolean> {
    if (this.#store.acquireLock === undefined) return true
    try {
      return await this.#store.acquireLock(key)
    } catch (error) {
      // A store that cannot answer must not stop fetches: slower, never down.
      this.#emitStoreError(key, error)
      return true
    }
  }

  #releaseLock(key: string): void {
    this.#store.releaseLock?.(key).catch((error: unknown) => this.#emitStoreError(key, error))
  }

  #rememberFailure(key: string): void {
    this.#retryAt.delete(key)
    this.#retryAt.set(key, this.#now() + this.#retryAfterMs)
    if (this.#retryAt.size > MAX_REMEMBERED_FAILURES) {
      this.#retryAt.delete(this.#retryAt.keys().next().value as string)
    }
  }

  /** Stops in-flight fetches that an invalidation overtook from writing, and lets the next read fetch anew. */
  #fence(invalidation: Invalidation, remote: boolean): void {
    // A store read that began before the invalidation must not be shared with callers after it.
    if (invalidation.kind === 'key') this.#reads.delete(invalidation.key)
    else this.#reads.clear()
    for (const [key, flight] of this.#flights) {
      const overtaken =
        invalidation.kind === 'all' ||
        (invalidation.kind === 'key' ? key === invalidation.key : flight.tags.includes(invalidation.tag))
      if (!overtaken) continue
      flight.fenced = true
      this.#flights.delete(key)
    }
    if (invalidation.kind === 'all') this.#retryAt.clear()
    if (invalidation.kind === 'key') this.#retryAt.delete(invalidation.key)
    if (this.#onEvent) this.#emit(invalidateEvent(invalidation, remote))
  }

  #emitStoreError(key: string, error: unknown): void {
    this.#emit({ type: 'error', key, phase: 'store', error })
  }

  #emit(event: CacheEvent): void {
    if (this.#onEvent === undefined) return
    try {
      this.#onEvent(event)
    } catch {
      // Reporting must never break serving.
    }
  }
}

function invalidateEvent(invalidation: Invalidation, remote: boolean): CacheEvent {
  const event: Extract<CacheEvent, { type: 'invalidate' }> = { type: 'invalidate' }
  if (invalidation.kind === 'key') event.key = invalidation.key
  if (invalidation.kind === 'tag') event.tag = invalidation.tag
  if (invalidation.kind === 'all') event.all = true
  if (remote) event.remote = true
  return event
}

/** An isolated cache with its own store and settings. */
export function createCache(options: CacheOptions = {}): Cache {
  return new Coordinator(options)
}
