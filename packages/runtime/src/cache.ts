import { nextCacheName, registerCache, type InspectableCache } from './cache-registry.js'
import { StatsRecorder, type CacheStats, type FetchOutcome, type FetchRecord } from './cache-stats.js'
import { coarseNow, timerDelay } from './clock.js'
import { eventTaps, type EventTap } from './event-taps.js'
import { fetchFrames } from './fetch-context.js'
import { abortError, callSafely, isPromise, timeoutError } from './hooks.js'
import { covers } from './invalidation.js'
import { DEFAULT_LOCK_SECONDS } from './stores/locks.js'
import { MemoryStore } from './stores/memory-store.js'
import { isWholePageKey } from './page-key.js'
import { createTelemetry, readUsage, type CacheTelemetry, type EntryState, type StorePhase, type TracedFetch } from './telemetry.js'
import type {
  CacheEntry,
  CacheEvent,
  CacheOptions,
  CacheStore,
  Fetcher,
  Invalidation,
  Lifetime,
  RevalidateCache,
  RevalidateOptions,
} from './types.js'
import { isUncacheableValue } from './value-model.js'
import { checkedAlready, checkKey, checkLifetime, checkRevalidateCall, checkSeconds, checkTimeout } from './validate.js'
import { markedIfWarmUp } from './warm-up.js'

export const DEFAULT_STALE_SECONDS = 86_400
export const DEFAULT_RETRY_AFTER_SECONDS = 10
/** How many keys' refresh-failure times are remembered; older ones are forgotten first. */
const MAX_REMEMBERED_FAILURES = 10_000
/** Longest pause between two looks for another instance's value while it holds the lock. */
const MAX_LOCK_POLL_MS = 100
/** Tag invalidations one flight remembers; past them, any tag its fetcher adds late counts as invalidated. */
const MAX_TRACKED_TAG_INVALIDATIONS = 1000

/**
 * One fetch of one key and version, shared by every caller of that version that arrives while it
 * runs. `fenced` is set when an invalidation overtakes it: its callers still get its value, the
 * cache does not.
 */
interface Flight extends TracedFetch {
  readonly key: string
  readonly version: string | undefined
  readonly ttlMs: number
  readonly staleMs: number
  readonly timeoutSeconds: number | undefined
  /** The tags of every caller that joined: all of them end up on the entry. */
  readonly tags: Set<string>
  /** Its signal goes to the fetcher: aborted by a fence or by the timeout. */
  readonly controller: AbortController
  /** Aborts `controller` from whichever request fences the flight (see abortFromAnyRequest). */
  readonly abort: (reason: unknown) => void
  promise: Promise<unknown>
  fenced: boolean
  /** A caller that missed is waiting on this refresh, so it must fetch even without the lock. */
  awaited: boolean
  /** Real time past which the flight is over even if its timer never fired: Workers drop the timers of a request that was cut off. */
  readonly endsBy: number
  /** The entry's lifetime as the fetcher chose it (`keepFor`); `false`: it writes nothing. */
  kept: { ttlMs: number; staleMs: number } | false | undefined
  /**
   * Tags invalidated while it ran, in order, for tags its fetcher names late (`keepFor`): up to
   * MAX_TRACKED_TAG_INVALIDATIONS; `tagInvalidationCount` goes on counting past them.
   */
  tagInvalidations: string[] | undefined
  tagInvalidationCount: number
  /** The first of `tagInvalidations` that names a tag the fetcher added late: callers that joined after it need a fetch of their own. */
  lateFence: number | undefined
  /** How it ended, once it has (`elsewhere` until the fetcher is called). */
  outcome: FetchOutcome
  /** Counted as ended (stats, telemetry, its span): once. */
  ended: boolean
  /** When its fetcher was called, and how long that took (performance.now() milliseconds). */
  fetchStartedAt: number | undefined
  fetchMs: number | undefined
}

type FlightSpec = Pick<Flight, 'key' | 'version' | 'ttlMs' | 'staleMs' | 'timeoutSeconds' | 'state'> & { tags: Iterable<string> }

interface ResolvedOptions {
  name: string
  store: CacheStore
  staleMs: number
  retryAfterMs: number
  timeoutSeconds: number | undefined
  now: () => number
  onEvent: CacheOptions['onEvent']
  onInvalidate: CacheOptions['onInvalidate']
  waitUntil: CacheOptions['waitUntil']
}

function resolveOptions(options: CacheOptions): ResolvedOptions {
  const staleSeconds = options.staleSeconds ?? DEFAULT_STALE_SECONDS
  const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS
  const bad =
    checkSeconds('createCache', 'staleSeconds', staleSeconds) ??
    checkSeconds('createCache', 'retryAfterSeconds', retryAfterSeconds) ??
    (options.timeoutSeconds === undefined ? undefined : checkTimeout('createCache', 'timeoutSeconds', options.timeoutSeconds))
  if (bad) throw bad
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('createCache: now must be a function returning milliseconds')
  }
  if (options.onInvalidate !== undefined && typeof options.onInvalidate !== 'function') {
    throw new TypeError('createCache: onInvalidate must be a function')
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw new TypeError(`createCache: name must be a non-empty string, got ${String(options.name)}`)
  }
  return {
    name: options.name ?? nextCacheName(),
    store: options.store ?? new MemoryStore({ maxEntries: options.maxEntries }),
    staleMs: staleSeconds * 1000,
    retryAfterMs: retryAfterSeconds * 1000,
    timeoutSeconds: options.timeoutSeconds,
    now: options.now ?? coarseNow,
    onEvent: options.onEvent,
    onInvalidate: options.onInvalidate,
    waitUntil: options.waitUntil,
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The coordinator: owns every stale-while-revalidate rule over any store.
 *
 *   age < ttl                   -> cached value (hit)
 *   ttl <= age < ttl + stale    -> cached value at once, one background refresh per key (stale)
 *   no entry, other version,
 *   or age >= ttl + stale       -> one fetch per key and version, shared by its callers (miss)
 */
class Coordinator implements RevalidateCache {
  readonly #name: string
  readonly #store: CacheStore
  readonly #staleMs: number
  readonly #retryAfterMs: number
  readonly #timeoutSeconds: number | undefined
  readonly #now: () => number
  readonly #onEvent: CacheOptions['onEvent']
  readonly #onInvalidate: CacheOptions['onInvalidate']
  /** Listeners of every cache (the dev log, the cache header); usually none. */
  readonly #taps: Set<EventTap> = eventTaps()
  readonly #waitUntil: CacheOptions['waitUntil']
  /** Fetches in flight by key: one per version (almost always just one). */
  readonly #flights = new Map<string, Flight[]>()
  /** Store reads on their way, by key (stores that answer asynchronously). */
  readonly #reads = new Map<string, Promise<CacheEntry | undefined>>()
  /** When a key whose refresh failed may be refreshed again. */
  readonly #retryAt = new Map<string, number>()
  #unsubscribe: (() => void) | undefined
  #disposed = false
  /** The store's acquireLock answered something other than a token or undefined: said once, not on every miss. */
  #badLockReported = false
  readonly #stats = new StatsRecorder()
  /** OpenTelemetry's instruments; undefined when telemetry is off (the hot path checks only that). */
  readonly #telemetry: CacheTelemetry | undefined
  readonly #unregister: () => void
  /** What the inspector reads of this cache (registered weakly: held here). */
  readonly #inspection: InspectableCache

  constructor(options: CacheOptions) {
    const resolved = resolveOptions(options)
    this.#name = resolved.name
    this.#store = resolved.store
    this.#staleMs = resolved.staleMs
    this.#retryAfterMs = resolved.retryAfterMs
    this.#timeoutSeconds = resolved.timeoutSeconds
    this.#now = resolved.now
    this.#onEvent = resolved.onEvent
    this.#onInvalidate = resolved.onInvalidate
    this.#waitUntil = resolved.waitUntil
    this.#telemetry = createTelemetry(options.telemetry, { name: this.#name, store: this.#store }, (error) => this.#emit({ type: 'error', key: '', phase: 'hook', error }))
    this.#inspection = { cache: this, name: this.#name, store: this.#store, now: () => this.#now(), keyInfo: (key) => this.#stats.keyInfo(key) }
    this.#unregister = registerCache(this.#inspection)
    if (this.#store.subscribe !== undefined) {
      try {
        this.#unsubscribe = this.#store.subscribe(
          (invalidation) => {
            if (!this.#disposed) this.#fence(invalidation, true)
          },
          (error, invalidation) => {
            if (this.#disposed) return
            const key = invalidation?.kind === 'key' ? invalidation.key : ''
            this.#telemetry?.storeError(invalidation === undefined ? 'subscribe' : 'invalidate', error)
            this.#emit({ ...(invalidation === undefined ? {} : invalidationNamed(invalidation)), type: 'error', key, phase: 'store', error })
          },
        )
      } catch (error) {
        this.#emitStoreError('', 'subscribe', error) // no remote invalidations then; local ones still work
      }
    }
  }

  withRevalidate<T>(key: string, ttlSeconds: number, fetcher: Fetcher<T>, options?: RevalidateOptions): Promise<T> {
    // The common call (a key, a ttl, a function, no options or options checked before) is checked inline; the hot path is short.
    const plain = typeof key === 'string' && key !== '' && key.isWellFormed() && typeof ttlSeconds === 'number' && ttlSeconds > 0 && ttlSeconds !== Infinity && typeof fetcher === 'function' && (options === undefined || checkedAlready(options))
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

  dispose(): void {
    this.#disposed = true
    this.#unregister()
    this.#telemetry?.dispose()
    const unsubscribe = this.#unsubscribe
    this.#unsubscribe = undefined
    if (unsubscribe !== undefined) callSafely(unsubscribe, (error) => this.#emitStoreError('', 'subscribe', error))
  }

  stats(): CacheStats {
    return this.#stats.snapshot(this.#name, readUsage(this.#store))
  }

  /** The store's entry for `key`; a store that fails (by throwing or rejecting) is reported and read as a miss. */
  #read(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    let read: CacheEntry | undefined | Promise<CacheEntry | undefined>
    try {
      read = this.#store.get(key)
    } catch (error) {
      this.#emitStoreError(key, 'read', error)
      return undefined
    }
    if (!isPromise(read)) return read
    return read.catch((error: unknown) => {
      this.#emitStoreError(key, 'read', error)
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
    if (!isWholePageKey(key)) {
      this.#fence({ kind: 'key', key }, false)
      await this.#storeInvalidation(this.#store.delete(key))
      return this.#invalidated({ kind: 'key', key })
    }
    // A page key also names every loader's entry of that page, tagged with it (page-cache.ts).
    const held = this.#onInvalidate !== undefined || this.#store.holds === undefined || callSafelyFor(() => this.#store.holds!(key), true)
    this.#fence({ kind: 'key', key }, false, held)
    this.#fence({ kind: 'tag', tag: key }, false, held, false) // one invalidation, one event
    await this.#storeInvalidation(Promise.all([this.#store.delete(key), this.#store.deleteTag(key)]))
    return this.#invalidated({ kind: 'key', key })
  }

  async invalidateTag(tag: string): Promise<void> {
    const bad = checkKey('invalidateTag', 'tag', tag)
    if (bad) throw bad
    this.#fence({ kind: 'tag', tag }, false)
    await this.#storeInvalidation(this.#store.deleteTag(tag))
    return this.#invalidated({ kind: 'tag', tag })
  }

  async invalidateAll(): Promise<void> {
    this.#fence({ kind: 'all' }, false)
    await this.#storeInvalidation(this.#store.clear())
    return this.#invalidated({ kind: 'all' })
  }

  /** The store's part of an invalidation: a failure is counted (telemetry) and thrown to the caller. */
  async #storeInvalidation(work: unknown): Promise<void> {
    try {
      await work
    } catch (error) {
      this.#telemetry?.storeError('invalidate', error)
      throw error
    }
  }

  /** Tells the platform's own cache (onInvalidate), awaited; its failure is reported, not thrown. */
  async #invalidated(invalidation: Invalidation): Promise<void> {
    const onInvalidate = this.#onInvalidate
    if (onInvalidate === undefined) return
    try {
      await onInvalidate(invalidation)
    } catch (error) {
      this.#emit({ ...invalidationNamed(invalidation), type: 'error', key: invalidation.kind === 'key' ? invalidation.key : '', phase: 'hook', error })
    }
  }

  /** A hit here, the rest (a stale read, a miss) in methods of their own: the hit stays small enough for V8 to inline. */
  #serve<T>(key: string, entry: CacheEntry | undefined, ttlSeconds: number, fetcher: Fetcher<T>, options: RevalidateOptions | undefined): Promise<T> {
    const ttlMs = ttlSeconds * 1000
    if (entry !== undefined && entry.version === options?.version) {
      const age = this.#now() - entry.storedAt
      const state = stateAt(entry, age, ttlMs, this.#staleMsFor(options))
      if (state === 'fresh') {
        const sampled = this.#stats.hit(key)
        if (this.#telemetry !== undefined) this.#telemetry.lookup('hit', key, sampled ? age : undefined)
        if (this.#observed()) this.#emit(markedIfWarmUp({ type: 'hit', key, age }, options))
        return Promise.resolve(entry.value as T)
      }
      if (state === 'stale') return this.#serveStale(key, entry, age, ttlMs, fetcher, options)
    }
    return this.#miss(key, entry, ttlMs, fetcher, options)
  }

  #serveStale<T>(key: string, entry: CacheEntry, age: number, ttlMs: number, fetcher: Fetcher<T>, options: RevalidateOptions | undefined): Promise<T> {
    const sampled = this.#stats.stale(key)
    this.#telemetry?.lookup('stale', key, sampled ? age : undefined)
    if (this.#observed()) this.#emit(markedIfWarmUp({ type: 'stale', key, age }, options))
    this.#refreshInBackground(this.#spec(key, ttlMs, options, 'stale'), fetcher)
    return Promise.resolve(entry.value as T)
  }

  /** No servable entry: none, another version's, or one past its stale window. */
  #miss<T>(key: string, entry: CacheEntry | undefined, ttlMs: number, fetcher: Fetcher<T>, options: RevalidateOptions | undefined): Promise<T> {
    const state: EntryState = entry === undefined ? 'absent' : entry.version === options?.version ? 'expired' : 'other-version'
    this.#stats.miss(key)
    this.#telemetry?.lookup('miss', key)
    return this.#joinOrFetch(this.#spec(key, ttlMs, options, state), fetcher, options)
  }

  #spec(key: string, ttlMs: number, options: RevalidateOptions | undefined, state: EntryState): FlightSpec {
    return {
      key,
      state,
      version: options?.version,
      ttlMs,
      staleMs: this.#staleMsFor(options),
      timeoutSeconds: options?.timeoutSeconds ?? this.#timeoutSeconds,
      tags: options?.tags ?? [],
    }
  }

  /** A miss: join the fetch of this key and version already running, or start one. */
  #joinOrFetch<T>(spec: FlightSpec, fetcher: Fetcher<T>, options?: RevalidateOptions): Promise<T> {
    // From inside this key's own fetcher, a miss would wait for the value it is part of computing.
    if (fetchFrames.inside(this, spec.key)) return Promise.reject(reentrantCall(spec.key))
    const running = this.#flightOf(spec.key, spec.version)
    if (running !== undefined) {
      running.awaited = true
      for (const tag of spec.tags) running.tags.add(tag)
      // This caller misses too; it waits for another caller's fetch instead of starting one.
      if (this.#observed()) this.#emit(markedIfWarmUp({ type: 'miss', key: spec.key, joined: true }, options))
      const joinedAfter = running.tagInvalidationCount
      // Joined after an invalidation of a tag the fetcher turned out to add: that value is from before it.
      return (running.promise as Promise<T>).then((value) =>
        running.lateFence !== undefined && joinedAfter > running.lateFence ? this.#joinOrFetch(spec, fetcher, options) : value,
      )
    }
    this.#emit(markedIfWarmUp({ type: 'miss', key: spec.key }, options))
    return this.#startFlight(spec, fetcher, 'miss').promise as Promise<T>
  }

  #isFresh(entry: CacheEntry | undefined, flight: Flight): boolean {
    return entry !== undefined && entry.version === flight.version && stateAt(entry, this.#now() - entry.storedAt, flight.ttlMs, flight.staleMs) === 'fresh'
  }

  #staleMsFor(options: RevalidateOptions | undefined): number {
    return options?.staleSeconds === undefined ? this.#staleMs : options.staleSeconds * 1000
  }

  #refreshInBackground<T>(spec: FlightSpec, fetcher: Fetcher<T>): void {
    const running = this.#flightOf(spec.key, spec.version)
    if (running !== undefined) {
      for (const tag of spec.tags) running.tags.add(tag)
      return
    }
    const retryAt = this.#retryAt.get(spec.key)
    if (retryAt !== undefined && this.#now() < retryAt) return
    const flight = this.#startFlight(spec, fetcher, 'refresh')
    // Stale readers already have their value; a failed refresh is reported, never thrown.
    const settled = flight.promise.catch(() => {})
    const waitUntil = this.#waitUntil
    if (waitUntil === undefined) return
    // Outside a request the platform may refuse; the refresh runs all the same.
    callSafely(() => waitUntil(settled), (error) => this.#emit({ type: 'error', key: spec.key, phase: 'hook', error }))
  }

  #flightOf(key: string, version: string | undefined): Flight | undefined {
    const flights = this.#flights.get(key)
    if (flights === undefined) return undefined
    for (const flight of flights) {
      if (flight.version !== version) continue
      if (Date.now() < flight.endsBy) return flight
      // Its timeout passed and nothing ended it: its work was cut off with its request. It never writes.
      flight.fenced = true
      this.#leave(flight)
      return undefined
    }
    return undefined
  }

  #leave(flight: Flight): void {
    const flights = this.#flights.get(flight.key)
    const at = flights?.indexOf(flight) ?? -1
    if (at === -1) return
    if (flights!.length === 1) this.#flights.delete(flight.key)
    else flights!.splice(at, 1)
  }

  #startFlight<T>(spec: FlightSpec, fetcher: Fetcher<T>, phase: 'miss' | 'refresh'): Flight {
    const controller = new AbortController()
    const flight: Flight = {
      key: spec.key,
      reason: phase,
      state: spec.state,
      outcome: 'elsewhere',
      ended: false,
      fetchStartedAt: undefined,
      fetchMs: undefined,
      version: spec.version,
      ttlMs: spec.ttlMs,
      staleMs: spec.staleMs,
      timeoutSeconds: spec.timeoutSeconds,
      tags: new Set(spec.tags),
      controller,
      abort: abortFromAnyRequest(controller),
      promise: Promise.resolve(),
      fenced: false,
      awaited: phase === 'miss',
      endsBy: spec.timeoutSeconds === undefined ? Infinity : Date.now() + spec.timeoutSeconds * 1000,
      kept: undefined,
      tagInvalidations: undefined,
      tagInvalidationCount: 0,
      lateFence: undefined,
    }
    const flights = this.#flights.get(spec.key)
    if (flights === undefined) this.#flights.set(spec.key, [flight])
    else flights.push(flight)
    // Run a microtask later, so the flight is whole (its promise assigned) before its fetcher runs.
    const run = () => Promise.resolve().then(() => this.#run(flight, fetcher, phase))
    flight.promise = this.#telemetry === undefined ? run() : this.#telemetry.traceFetch(flight, run)
    return flight
  }

  async #run<T>(flight: Flight, fetcher: Fetcher<T>, phase: 'miss' | 'refresh'): Promise<T> {
    const { key } = flight
    const deadline = this.#deadline(flight)
    let token: string | undefined
    let failure: unknown
    try {
      if (this.#store.acquireLock !== undefined) {
        if (phase === 'refresh') {
          const lock = await this.#tryLock(key, flight.version)
          token = lock.token
          if (!lock.granted && !flight.awaited) return undefined as T // another instance refreshes; stale readers are served meanwhile
          // The stale read may have begun before the last holder wrote and let go: then nothing is left to refresh.
          if (lock.token !== undefined && !flight.awaited && this.#isFresh(await this.#read(key), flight)) return undefined as T
        } else {
          const waiting = this.#lockOrOtherInstancesValue(flight)
          const other = await deadline.race(waiting).catch((error: unknown) => {
            // Timed out while waiting: a lock it takes later belongs to nobody, so it is let go.
            void waiting.then((late) => late.token !== undefined && this.#releaseLock(key, late.token), () => {})
            throw error
          })
          if (other.entry !== undefined) return other.entry.value as T
          token = other.token
        }
      }
      if (phase === 'refresh') this.#emit({ type: 'refresh', key })
      // A shared store marks where this fetch begins: it refuses the write if another instance's invalidation came after.
      const fence = this.#store.writeFence === undefined ? undefined : await deadline.race(this.#writeFence(key, [...flight.tags]))
      this.#stats.fetches[phase]++
      flight.fetchStartedAt = performance.now()
      const keepFor = (lifetime: Lifetime | false) => this.#keepFor(flight, lifetime)
      const value = await deadline.race(fetchFrames.run(this, key, () => fetcher({ signal: flight.controller.signal, keepFor })))
      flight.fetchMs = performance.now() - flight.fetchStartedAt
      if (!flight.fenced && flight.kept !== false) await this.#write(flight, value, fence)
      flight.outcome = flight.fenced ? 'fenced' : 'ok'
      return value
    } catch (error) {
      flight.outcome = flight.fenced ? 'fenced' : isTimeoutOf(flight, error) ? 'timeout' : 'error'
      if (flight.fenced && phase === 'miss' && isAbortOf(flight, error)) {
        // The fetcher stopped because an invalidation fenced it: its callers get a fetch made after it.
        this.#ended(flight, undefined)
        this.#leave(flight)
        if (token !== undefined) this.#releaseLock(key, token)
        token = undefined
        return this.#joinOrFetch(flight, fetcher)
      }
      if (phase === 'refresh' && !flight.fenced) this.#rememberFailure(key)
      failure = error
      this.#emit({ type: 'error', key, phase, error })
      // A fetcher can fail before this tick ends; callers arriving in the same tick share the failure.
      await null
      throw error
    } finally {
      deadline.clear()
      this.#leave(flight)
      if (token !== undefined) this.#releaseLock(key, token)
      if (!flight.ended) this.#ended(flight, failure)
    }
  }

  /** Counts a flight that has ended (stats, telemetry); it ends its span. */
  #ended(flight: Flight, failure: unknown): void {
    flight.ended = true
    const { fetchStartedAt, outcome } = flight
    const fetchMs = flight.fetchMs ?? (fetchStartedAt === undefined ? undefined : performance.now() - fetchStartedAt)
    if (flight.reason === 'refresh') this.#stats.refreshes[outcome]++
    if (fetchMs !== undefined) {
      const record: FetchRecord = { at: Date.now(), ms: fetchMs, reason: flight.reason, outcome }
      if (failure !== undefined) record.error = failure instanceof Error ? failure.message : String(failure)
      this.#stats.fetched(flight.key, record)
    }
    this.#telemetry?.fetchEnded(flight, outcome, fetchMs, failure)
  }

  /**
   * The flight's timeout: `race(work)` rejects with a TimeoutError once it passes (and the
   * fetcher's signal is aborted with it); `clear()` stops the timer when the flight ends.
   */
  #deadline(flight: Flight): { race<V>(work: V | Promise<V>): Promise<V>; clear(): void } {
    if (flight.timeoutSeconds === undefined) return { race: async (work) => work, clear() {} }
    let timer: ReturnType<typeof setTimeout> | undefined
    const passed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = timeoutError(`withRevalidate('${flight.key}'): no value within ${flight.timeoutSeconds} s (timeoutSeconds)`)
        flight.controller.abort(error)
        reject(error)
      }, timerDelay(flight.timeoutSeconds! * 1000))
    })
    passed.catch(() => {}) // observed through race(); a flight that ends first never sees it
    return { race: (work) => Promise.race([work, passed]), clear: () => clearTimeout(timer) }
  }

  /** The store's mark for a fetch about to begin; a store that fails to give one is reported, and the write goes unmarked. */
  async #writeFence(key: string, tags: readonly string[]): Promise<unknown> {
    try {
      return await this.#store.writeFence!(key, tags)
    } catch (error) {
      this.#emitStoreError(key, 'fence', error)
      return undefined
    }
  }

  /** What a fetcher chose for its entry; a tag it adds that an invalidation named since the flight began fences it now. */
  #keepFor(flight: Flight, lifetime: Lifetime | false): void {
    const bad = checkLifetime(`withRevalidate('${flight.key}'): keepFor`, lifetime)
    if (bad) throw bad
    if (lifetime === false) {
      flight.kept = false
      return
    }
    flight.kept = { ttlMs: lifetime.ttlSeconds * 1000, staleMs: lifetime.staleSeconds === undefined ? flight.staleMs : lifetime.staleSeconds * 1000 }
    const added = (lifetime.tags ?? []).filter((tag) => !flight.tags.has(tag))
    for (const tag of added) flight.tags.add(tag)
    if (added.length === 0 || flight.tagInvalidationCount === 0) return
    const seen = flight.tagInvalidations ?? []
    let first = seen.findIndex((tag) => added.includes(tag))
    // Past what it remembers, any of its tags may have been among them.
    if (first === -1 && flight.tagInvalidationCount > seen.length) first = seen.length
    if (first === -1) return
    flight.fenced = true
    flight.lateFence = first
  }

  async #write(flight: Flight, value: unknown, fence: unknown): Promise<void> {
    const { ttlMs, staleMs } = flight.kept || flight
    const entry: CacheEntry = { value, storedAt: this.#now(), ttlMs, staleMs }
    if (flight.tags.size > 0) entry.tags = [...flight.tags]
    if (flight.version !== undefined) entry.version = flight.version
    this.#retryAt.delete(flight.key)
    try {
      await this.#store.set(flight.key, entry, fence)
    } catch (error) {
      // A value no store can keep is the caller's mistake: it fails the fetch, on every store alike.
      if (isUncacheableValue(error)) throw error
      // Otherwise the caller still gets the value; only caching it failed.
      this.#emitStoreError(flight.key, 'write', error)
    }
  }

  /**
   * A miss on a store shared by several instances: take the key's lock and fetch, or, while
   * another instance holds it, wait for the value it writes instead of calling the fetcher too.
   * The wait is bounded by the lock's lifetime: a lock nobody releases (its holder died, or
   * anyone wrote it without an expiry) leaves the fetch to this caller after `lockSeconds`.
   */
  async #lockOrOtherInstancesValue(flight: Flight): Promise<{ entry?: CacheEntry; token?: string }> {
    const { key } = flight
    const servable = (entry: CacheEntry | undefined): entry is CacheEntry =>
      entry !== undefined && entry.version === flight.version && stateAt(entry, this.#now() - entry.storedAt, flight.ttlMs, flight.staleMs) !== 'expired'

    const lockSeconds = this.#store.lockSeconds ?? DEFAULT_LOCK_SECONDS
    const giveUpAt = Date.now() + lockSeconds * 1000 // real time: an injected clock may stand still
    for (let delayMs = 5; !flight.controller.signal.aborted || flight.fenced; delayMs = Math.min(delayMs * 2, MAX_LOCK_POLL_MS)) {
      const lock = await this.#tryLock(key, flight.version)
      if (lock.granted) {
        if (lock.token === undefined) return {}
        // The last holder may have written and let go just before we took the lock.
        const entry = await this.#read(key)
        if (!servable(entry)) return { token: lock.token }
        this.#releaseLock(key, lock.token)
        return { entry }
      }
      if (Date.now() >= giveUpAt) {
        this.#emitStoreError(key, 'lock', new Error(`The lock of "${key}" is still held after lockSeconds (${lockSeconds} s); fetching without it`))
        return {}
      }
      await sleep(Math.min(delayMs, Math.max(1, giveUpAt - Date.now())))
      const entry = await this.#read(key)
      if (servable(entry)) return { entry }
    }
    return {} // timed out: the deadline has already rejected this flight's callers
  }

  /**
   * `granted` with a token: this fetch holds the lock; granted without one: the store cannot answer,
   * go ahead. `version` is the fetch's: a store that hands over other instances' values hands only that version's.
   */
  async #tryLock(key: string, version: string | undefined): Promise<{ granted: boolean; token?: string }> {
    try {
      const token: unknown = await this.#store.acquireLock!(key, version)
      if (typeof token === 'string') return { granted: true, token }
      if (token === undefined) return { granted: false }
      // Read as "held elsewhere", an answer such as `true` would make every miss wait lockSeconds.
      if (!this.#badLockReported) this.#emitStoreError(key, 'lock', badLockAnswer(token))
      this.#badLockReported = true
      return { granted: true }
    } catch (error) {
      // A store that cannot answer must not stop fetches: slower, never down.
      this.#emitStoreError(key, 'lock', error)
      return { granted: true }
    }
  }

  #releaseLock(key: string, token: string): void {
    callSafely(() => this.#store.releaseLock?.(key, token), (error) => this.#emitStoreError(key, 'lock', error))
  }

  #rememberFailure(key: string): void {
    this.#retryAt.delete(key)
    this.#retryAt.set(key, this.#now() + this.#retryAfterMs)
    if (this.#retryAt.size > MAX_REMEMBERED_FAILURES) {
      this.#retryAt.delete(this.#retryAt.keys().next().value as string)
    }
  }

  /** Stops in-flight fetches that an invalidation overtook from writing, and lets the next read fetch anew. */
  #fence(invalidation: Invalidation, remote: boolean, held = true, report = true): void {
    // A store read that began before the invalidation must not be shared with callers after it.
    if (invalidation.kind === 'key') this.#reads.delete(invalidation.key)
    else this.#reads.clear()
    for (const [key, flights] of this.#flights) {
      for (const flight of [...flights]) {
        if (!covers(invalidation, key, flight.tags)) {
          if (invalidation.kind === 'tag') rememberTagInvalidation(flight, invalidation.tag)
          continue
        }
        flight.fenced = true
        this.#leave(flight)
        flight.abort(abortError(`withRevalidate('${key}'): an invalidation overtook this fetch; its value will not be cached`))
      }
    }
    if (invalidation.kind === 'all') this.#retryAt.clear()
    if (invalidation.kind === 'key') this.#retryAt.delete(invalidation.key)
    if (!report) return
    this.#stats.invalidations[invalidation.kind]++
    if (remote) this.#stats.invalidations.remote++
    this.#telemetry?.invalidated(invalidation, remote)
    if (this.#observed()) this.#emit(invalidateEvent(invalidation, remote, held))
  }

  #emitStoreError(key: string, phase: StorePhase, error: unknown): void {
    this.#telemetry?.storeError(phase, error)
    this.#emit({ type: 'error', key, phase: 'store', error })
  }

  /** Whether anyone listens: events are not even built on the hit path otherwise. */
  #observed(): boolean {
    return this.#onEvent !== undefined || this.#taps.size > 0
  }

  #emit(event: CacheEvent): void {
    if (event.type === 'error') this.#stats.errors[event.phase]++
    const onEvent = this.#onEvent
    // Reporting must never break serving.
    if (onEvent !== undefined) callSafely(() => onEvent(event), () => {})
    for (const tap of this.#taps) callSafely(() => tap(event), () => {})
  }
}

/**
 * Aborts `controller` from any request's handler. Workers refuse to touch an I/O object of one
 * request (an AbortController among them) from another's: there, an invalidation made by one
 * request of a fetch running for another resolves a promise the fetch's own request made, and the
 * abort happens in that request. Elsewhere it happens at once.
 */
function abortFromAnyRequest(controller: AbortController): (reason: unknown) => void {
  let inItsRequest!: (reason: unknown) => void
  void new Promise<unknown>((resolve) => (inItsRequest = resolve)).then((reason) => controller.abort(reason))
  return (reason) => {
    try {
      controller.abort(reason)
    } catch {
      inItsRequest(reason)
    }
  }
}

/** Notes a tag invalidated while `flight` runs, for the tags its fetcher may add late (keepFor). */
function rememberTagInvalidation(flight: Flight, tag: string): void {
  flight.tagInvalidationCount += 1
  const seen = (flight.tagInvalidations ??= [])
  if (seen.length < MAX_TRACKED_TAG_INVALIDATIONS) seen.push(tag)
}

/**
 * What an entry of this age is to a call with these lifetimes: judged by the call's lifetime, or
 * the entry's own where it is shorter (a fetcher that chose its own with `keepFor`).
 */
function stateAt(entry: CacheEntry, age: number, ttlMs: number, staleMs: number): 'fresh' | 'stale' | 'expired' {
  const freshMs = Math.min(ttlMs, entry.ttlMs)
  if (age < freshMs) return 'fresh'
  return age < freshMs + Math.min(staleMs, entry.staleMs) ? 'stale' : 'expired'
}

/** Whether `error` is the fetcher giving up because the flight's signal was aborted by a fence. */
function isAbortOf(flight: Flight, error: unknown): boolean {
  const signal = flight.controller.signal
  return signal.aborted && (error === signal.reason || (error as { name?: unknown } | null)?.name === 'AbortError')
}

/** Whether `error` is the flight's own timeout (its deadline aborts the signal with the error it rejects with). */
function isTimeoutOf(flight: Flight, error: unknown): boolean {
  const signal = flight.controller.signal
  return signal.aborted && error === signal.reason && (error as { name?: unknown } | null)?.name === 'TimeoutError'
}

/** What a fetcher that asks the cache for its own key gets (see fetch-context.ts). */
function reentrantCall(key: string): TypeError {
  return new TypeError(
    `withRevalidate: the fetcher of "${key}" called withRevalidate("${key}") itself (directly, or through another key's fetcher), ` +
      'which would wait for the value it is computing. Compute the value without asking the cache for it, or give the inner call a key of its own.',
  )
}

function badLockAnswer(token: unknown): TypeError {
  const got = token === null ? 'null' : typeof token === 'object' ? 'an object' : `${typeof token} ${String(token)}`
  return new TypeError(
    `The store's acquireLock resolved ${got}; it must resolve a string token (this caller now holds the lock) or undefined (another holder has it). ` +
      'Fetching without the lock; this is reported once.',
  )
}

/** `read()`, or `fallback` when it throws: a question to a store we do not own. */
function callSafelyFor<T>(read: () => T, fallback: T): T {
  try {
    return read()
  } catch {
    return fallback
  }
}

/** The fields of an event that name an invalidation's tag, or say that it was of everything. */
function invalidationNamed(invalidation: Invalidation): { tag?: string; all?: true } {
  if (invalidation.kind === 'tag') return { tag: invalidation.tag }
  return invalidation.kind === 'all' ? { all: true } : {}
}

function invalidateEvent(invalidation: Invalidation, remote: boolean, held: boolean): CacheEvent {
  const event: Extract<CacheEvent, { type: 'invalidate' }> = { type: 'invalidate', ...invalidationNamed(invalidation) }
  if (!held) event.held = false
  if (invalidation.kind === 'key') event.key = invalidation.key
  if (remote) event.remote = true
  return event
}

/** An isolated cache with its own store and settings. */
export function createCache(options: CacheOptions = {}): RevalidateCache {
  return new Coordinator(options)
}
