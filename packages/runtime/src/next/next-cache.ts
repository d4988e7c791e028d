/**
 * The Next.js cache of one server process: Next's entries ('use cache' and ISR) in one of our
 * stores, under one of our coordinators, with Next's tag model (tag-times.ts). Both handlers
 * (use-cache-handler.ts, incremental-cache-handler.ts) are thin translations onto this.
 *
 * Next renders after a miss, then hands the result to `set`; our coordinator calls a fetcher. The
 * two meet in a render ticket: the fetcher of a miss is "wait for Next's `set` of this key", so
 *
 *   read(k) on a miss        -> the coordinator takes k's flight (and, on Redis, k's lock across
 *                               instances), calls the fetcher: this caller renders (undefined)
 *   read(k) elsewhere        -> waits for that flight, or for the other instance's value
 *   write(k, entry)          -> fills the ticket: the coordinator writes it, fenced, and its waiters get it
 *   read(k) again, no write  -> the render it waited for ended without a value: start over
 *
 * A stale entry (past `revalidate`, or a tag revalidated with a profile) is served as stale to the
 * one instance that takes k's lock, which renders it again in the background; the others are told
 * it is fresh for a second and read the new value once it is written.
 */
import { createCache } from '../cache.js'
import { DEFAULT_LOCK_SECONDS } from '../stores/locks.js'
import { adoptPlatformDefaults, invalidateTag } from '../default-cache.js'
import { abortError, callSafely, isPromise } from '../hooks.js'
import { MemoryStore } from '../stores/memory-store.js'
import { serializeEntry, utf8Bytes } from '../serialize.js'
import type { CacheEntry, CacheEvent, CacheOptions, CacheStore, FetchContext, Invalidation, RevalidateCache, RevalidateOptions } from '../types.js'
import { checkedOnce } from '../validate.js'
import { type NextEntry, pastRevalidate } from './entry.js'
import { NextEntryStore } from './entry-store.js'
import { installedNextCache, installNextCache, type InstalledNextCache, type NextCacheUsage } from './installed.js'
import { EVERY_ENTRY, TagTimes } from './tag-times.js'

export interface NextCacheOptions {
  /**
   * Where entries live. Give a Redis store (`redisStore({ url })` from `@revalidate/runtime/redis`)
   * when the app runs as more than one instance: they share entries, tag revalidations and
   * invalidations, and render each key once between them. Its memory tier is bounded by its own
   * `maxEntries` and `maxMemoryBytes`.
   * @default this process's memory, bounded by `maxEntries` and `maxMemoryBytes`
   */
  store?: CacheStore
  /** Most entries kept in memory when `store` is not given. @default 10000 */
  maxEntries?: number
  /**
   * Most bytes kept in memory when `store` is not given, counted as an entry's serialized size.
   * @default 50 MiB (Next's own `cacheMaxMemorySize`)
   */
  maxMemoryBytes?: number
  /**
   * Called for each hit, miss, render and error of Next's entries.
   * @default store and hook errors printed once each with console.warn (an outage once, not per request)
   */
  onEvent?: (event: CacheEvent) => unknown
}

export const DEFAULT_NEXT_MAX_ENTRIES = 10_000
export const DEFAULT_NEXT_MAX_MEMORY_BYTES = 50 * 1024 * 1024
/** The coordinator's ttl for Next's entries: always "fresh" to it; the entry store and Next judge their age. */
const FOREVER_SECONDS = 10 * 365 * 86_400
/** How long another instance's stale entry is called fresh while the instance holding its lock renders it again. */
const ELSEWHERE_FRESH_MS = 1000
/** Implicit tags Next gives a path (`revalidatePath`): they are no tags of ours. */
const IMPLICIT_TAG_PREFIX = '_N_T_'

/** What a read found: the entry, and whether (and where) it is being made again. */
export interface NextLookup {
  entry: NextEntry
  /**
   * `here`: stale, and this caller should make it again (Next does, in the background).
   * `elsewhere`: stale, and another instance is making it again: serve it as fresh until
   * `freshUntil` (ms since the epoch). Absent: fresh.
   */
  refresh?: 'here' | 'elsewhere'
  freshUntil?: number
}

export interface NextReadOptions {
  /** An entry written under another version is a miss (ISR pages pass the build's id). */
  version?: string
  /** The request's implicit tags, when Next passes them: one of them expired after the entry was made makes it a miss. */
  softTags?: readonly string[]
}

/** A miss that this process renders: the flight's fetcher waits on it until Next writes the key. */
class RenderTicket {
  readonly startedAt = Date.now()
  /** Next has called `set` for the key (the write may still be under way). */
  filled = false
  /** The flight the ticket belongs to, settled once the coordinator has written (or given up). */
  flight: Promise<unknown> = Promise.resolve()
  readonly value: Promise<NextEntry>
  #resolve!: (entry: NextEntry) => void
  #reject!: (reason: unknown) => void

  constructor() {
    this.value = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    this.value.catch(() => {}) // its flight reports a render that ends without a value
  }

  fill(made: Promise<NextEntry>): void {
    this.filled = true
    made.then(this.#resolve, this.#reject)
  }

  abandon(reason: unknown): void {
    this.#reject(reason)
  }
}

/** A stale key this process renders again: the lock it holds, and the store's write mark taken with it. */
interface RefreshClaim {
  readonly token: string | undefined
  readonly fence: unknown
  readonly startedAt: number
  readonly timer: ReturnType<typeof setTimeout>
}

export class NextCache implements InstalledNextCache {
  /** The store as given (or the memory store made for it): the default cache shares it. */
  readonly store: CacheStore
  readonly tagTimes: TagTimes
  readonly #entries: NextEntryStore
  readonly #cache: RevalidateCache
  readonly #onEvent: (event: CacheEvent) => void
  readonly #renderSeconds: number
  readonly #memory: MemoryStore | undefined
  readonly #options: NextCacheOptions
  /** Misses this process renders, by key, until Next writes them. */
  readonly #tickets = new Map<string, RenderTicket>()
  /** Writes no reader waits on (background and on-demand renders), by key: a read of the key waits for them. */
  readonly #writing = new Map<string, Promise<void>>()
  /** Stale keys this process renders again, by key, until Next writes them (or the lock's time is up). */
  readonly #refreshing = new Map<string, RefreshClaim>()
  /** Keys whose render an invalidation overtook, and when: their write, when it comes, is not kept. */
  readonly #overtaken = new Map<string, number>()
  /** Tags Next is revalidating through us, so the default cache's invalidation of them is not sent back as a tag time. */
  readonly #fromNext = new Map<string, number>()
  readonly #flightOptionsByVersion = new Map<string | undefined, RevalidateOptions>()
  /** Hits are reported only to an onEvent of the user's (the default report prints errors alone). */
  readonly #observesHits: boolean

  constructor(options: NextCacheOptions = {}) {
    this.#options = options
    this.#memory = options.store === undefined ? memoryStoreFor(options) : undefined
    this.store = options.store ?? this.#memory!
    this.tagTimes = new TagTimes(this.store)
    this.#entries = new NextEntryStore(this.store, this.tagTimes)
    this.#onEvent = reporter(options.onEvent)
    this.#observesHits = options.onEvent !== undefined
    this.#renderSeconds = this.store.lockSeconds ?? DEFAULT_LOCK_SECONDS
    this.#cache = createCache({ store: this.#entries, staleSeconds: 0, onEvent: this.#onEvent })
  }

  /** Whether `options` would make this same cache (the handler modules of one process share one). */
  sameAs(options: NextCacheOptions): boolean {
    return (['store', 'maxEntries', 'maxMemoryBytes', 'onEvent'] as const).every((name) => options[name] === undefined || options[name] === this.#options[name])
  }

  /**
   * The entry of `key`, or undefined when the caller should render it: a miss this caller now owns
   * (its `write` completes it), or a render whose owner gave up.
   */
  async read(key: string, options: NextReadOptions = {}): Promise<NextLookup | undefined> {
    // A hit needs no coordinator, which would read the same entry and hand it back: the entry
    // store judged it alive, the version is the caller's. Misses, and reads of a key this process
    // renders or writes, go through the coordinator for its single flight.
    if (!this.#writing.has(key) && !this.#tickets.has(key)) {
      let stored: CacheEntry | undefined
      try {
        const read = this.#entries.get(key)
        stored = isPromise(read) ? await read : read
      } catch (error) {
        this.#onEvent({ type: 'error', key, phase: 'store', error }) // then the coordinator reads as it does without the store
      }
      if (stored !== undefined && stored.version === options.version) {
        const now = Date.now()
        if (this.#observesHits) this.#onEvent({ type: 'hit', key, age: now - stored.storedAt })
        return this.#judge(key, stored.value as NextEntry, options.softTags, now)
      }
    }
    return this.#readThroughCoordinator(key, options)
  }

  async #readThroughCoordinator(key: string, options: NextReadOptions): Promise<NextLookup | undefined> {
    const writing = this.#writing.get(key)
    if (writing !== undefined) await writing
    const waiting = this.#tickets.get(key)
    if (waiting !== undefined && !waiting.filled) {
      // Next renders a key once per process at a time: asked again before any write, the render ended without one.
      waiting.abandon(abortError(`The render of "${key}" ended without a value`))
      await waiting.flight.catch(() => {})
    }
    let led!: (ticket: undefined) => void
    const leading = new Promise<undefined>((resolve) => (led = resolve))
    let calls = 0
    const flight = this.#cache.withRevalidate(key, FOREVER_SECONDS, (context) => this.#awaitRender(key, context, ++calls, led), this.#flightOptions(options.version))
    flight.catch(() => {}) // the leader has gone to render; its flight's end is reported by the coordinator
    let stored: NextEntry | undefined
    try {
      stored = (await Promise.race([flight, leading])) as NextEntry | undefined
    } catch {
      return undefined // the render this read waited for failed or timed out: render here
    }
    if (stored === undefined) {
      this.#tickets.get(key)!.flight = flight
      return undefined
    }
    return this.#judge(key, stored, options.softTags, Date.now())
  }

  /** The options of a flight of `version`, checked once (a hit would otherwise check them on every read). */
  #flightOptions(version: string | undefined): RevalidateOptions {
    let options = this.#flightOptionsByVersion.get(version)
    if (options === undefined) {
      options = checkedOnce({ version, timeoutSeconds: this.#renderSeconds })
      if (this.#flightOptionsByVersion.size > 100) this.#flightOptionsByVersion.clear()
      this.#flightOptionsByVersion.set(version, options)
    }
    return options
  }

  /** The fetcher of a miss: this caller renders, and the flight waits for what Next writes. */
  #awaitRender(key: string, context: FetchContext, call: number, led: (ticket: undefined) => void): Promise<NextEntry> {
    // The coordinator fetches again when an invalidation overtook the first fetch; Next will not render twice for one read.
    if (call > 1) return Promise.reject(abortError(`The render of "${key}" began before an invalidation; it is not cached`))
    const ticket = new RenderTicket()
    this.#tickets.set(key, ticket)
    context.signal.addEventListener('abort', () => {
      // Fenced by an invalidation, or timed out: the flight ends now, and Next's write, when it comes, is a direct one.
      if ((context.signal.reason as { name?: unknown } | undefined)?.name === 'AbortError') this.#overtake(key)
      ticket.abandon(context.signal.reason)
    })
    void ticket.value.then(
      () => this.#tickets.get(key) === ticket && this.#tickets.delete(key),
      () => this.#tickets.get(key) === ticket && this.#tickets.delete(key),
    )
    led(undefined)
    return ticket.value
  }

  #overtake(key: string): void {
    this.#overtaken.delete(key)
    this.#overtaken.set(key, Date.now())
    if (this.#overtaken.size > 1000) this.#overtaken.delete(this.#overtaken.keys().next().value as string)
  }

  /** Fresh, stale (rendered again here or elsewhere), or, for this request's soft tags, a miss. */
  #judge(key: string, entry: NextEntry, softTags: readonly string[] | undefined, now: number): NextLookup | undefined | Promise<NextLookup> {
    if (softTags !== undefined && softTags.length > 0 && this.tagTimes.expired(softTags, entry.timestamp, now)) return undefined
    const stale = pastRevalidate(entry, now) || this.tagTimes.stale(entry.tags, entry.timestamp) || (softTags !== undefined && this.tagTimes.stale(softTags, entry.timestamp))
    if (!stale) return { entry }
    return this.#claimRefresh(key).then((here) => (here ? { entry, refresh: 'here' } : { entry, refresh: 'elsewhere', freshUntil: now + ELSEWHERE_FRESH_MS }))
  }

  /** Whether this process renders a stale key again: it holds the key's lock (or the store has none, or cannot answer). */
  async #claimRefresh(key: string): Promise<boolean> {
    const store = this.#entries
    if (store.acquireLock === undefined || this.#refreshing.has(key)) return true
    let token: string | undefined
    try {
      token = await store.acquireLock(key)
      if (token === undefined) return false
    } catch (error) {
      this.#onEvent({ type: 'error', key, phase: 'store', error })
    }
    let fence: unknown
    try {
      fence = await store.writeFence?.(key, []) // its tags are known once it has rendered
    } catch (error) {
      this.#onEvent({ type: 'error', key, phase: 'store', error })
    }
    // A render that never writes keeps nothing locked here longer than the store keeps the lock.
    const timer = setTimeout(() => this.#refreshing.delete(key), this.#renderSeconds * 1000)
    ;(timer as { unref?: () => void }).unref?.()
    this.#refreshing.set(key, { token, fence, startedAt: Date.now(), timer })
    return true
  }

  /** When the render of `key` that is being written began: its ticket's or its claim's start, now otherwise. */
  renderStart(key: string): number {
    return this.#tickets.get(key)?.startedAt ?? this.#refreshing.get(key)?.startedAt ?? Date.now()
  }

  /**
   * Next's write of `key`. A miss this process renders completes its flight (the coordinator writes
   * it, and whoever waits gets it); any other write is kept directly, under the lock and mark its
   * refresh took. `made` resolving undefined, or rejecting, keeps nothing. Never rejects.
   */
  async write(key: string, made: Promise<NextEntry | undefined>, options: { version?: string } = {}): Promise<void> {
    const ticket = this.#tickets.get(key)
    if (ticket !== undefined && !ticket.filled) {
      ticket.fill(made.then((entry) => entry ?? Promise.reject(abortError(`The render of "${key}" made nothing to cache`))))
      await ticket.flight.catch(() => {})
      return
    }
    const done = this.#writeDirectly(key, made, options.version)
    this.#writing.set(key, done)
    await done
    if (this.#writing.get(key) === done) this.#writing.delete(key)
  }

  async #writeDirectly(key: string, made: Promise<NextEntry | undefined>, version: string | undefined): Promise<void> {
    const claim = this.#refreshing.get(key)
    if (claim !== undefined) {
      this.#refreshing.delete(key)
      clearTimeout(claim.timer)
    }
    try {
      const entry = await made.catch(() => undefined) // a render that failed: Next reports it
      const overtakenAt = this.#overtaken.get(key)
      if (overtakenAt !== undefined) this.#overtaken.delete(key)
      if (entry === undefined || (overtakenAt !== undefined && entry.timestamp < overtakenAt)) return
      const stored: CacheEntry = { value: entry, storedAt: Date.now(), ttlMs: 0, staleMs: 0 }
      if (version !== undefined) stored.version = version
      await this.#entries.set(key, stored, claim?.fence)
    } catch (error) {
      this.#onEvent({ type: 'error', key, phase: 'store', error })
    } finally {
      if (claim?.token !== undefined) {
        const token = claim.token
        callSafely(() => this.#entries.releaseLock?.(key, token), (error) => this.#onEvent({ type: 'error', key, phase: 'store', error }))
      }
    }
  }

  /**
   * Next's `updateTags` / `revalidateTag`: the tags' times, here and (through a shared store) on
   * every instance; and the entries of our own `withRevalidate` under those tags, which our tag
   * model deletes. Never rejects: failures are reported.
   */
  async revalidateTags(tags: readonly string[], durations?: { expire?: number }): Promise<void> {
    try {
      await this.tagTimes.revalidate(tags, durations)
    } catch (error) {
      this.#onEvent({ type: 'error', key: '', phase: 'store', error })
    }
    for (const tag of tags) {
      if (tag.startsWith(IMPLICIT_TAG_PREFIX)) continue
      this.#fromNext.set(tag, (this.#fromNext.get(tag) ?? 0) + 1)
      try {
        await invalidateTag(tag)
      } catch (error) {
        this.#onEvent({ type: 'error', key: '', phase: 'hook', error })
      } finally {
        const left = this.#fromNext.get(tag)! - 1
        if (left === 0) this.#fromNext.delete(tag)
        else this.#fromNext.set(tag, left)
      }
    }
  }

  /**
   * An invalidation made with our own API in this process (the default cache's `onInvalidate`):
   * Next's entries it names become misses on every instance. A page key names its path's implicit
   * tag, as Next's `revalidatePath` does.
   */
  invalidated(invalidation: Invalidation): Promise<void> {
    if (invalidation.kind === 'all') return this.tagTimes.revalidate([EVERY_ENTRY])
    if (invalidation.kind === 'tag') return this.#fromNext.has(invalidation.tag) ? Promise.resolve() : this.tagTimes.revalidate([invalidation.tag])
    if (!invalidation.key.startsWith('page:')) return Promise.resolve()
    return this.tagTimes.revalidate(implicitTagsOfPath(invalidation.key.slice('page:'.length).replace(/[?#].*$/, '') || '/'))
  }

  defaultCacheOptions(): CacheOptions {
    return { store: this.store, onInvalidate: (invalidation) => this.invalidated(invalidation), onEvent: this.#onEvent }
  }

  usage(): NextCacheUsage {
    if (this.#memory !== undefined) return { entries: this.#memory.size, bytes: this.#memory.bytes, maxBytes: this.#memory.maxBytes }
    // A shared store's memory tier (RedisStore has these); another store's is its own business.
    const { memoryUsage, maxMemoryBytes } = this.store as { memoryUsage?: { entries: number; bytes: number }; maxMemoryBytes?: number }
    return { entries: memoryUsage?.entries ?? 0, bytes: memoryUsage?.bytes ?? 0, maxBytes: maxMemoryBytes ?? Infinity }
  }
}

/** The implicit tags Next's `revalidatePath(path)` expires (its root is both `/` and `/index`). */
export function implicitTagsOfPath(path: string): string[] {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path
  if (trimmed === '/' || trimmed === '/index') return [`${IMPLICIT_TAG_PREFIX}/`, `${IMPLICIT_TAG_PREFIX}/index`]
  return [`${IMPLICIT_TAG_PREFIX}${trimmed}`]
}

function memoryStoreFor(options: NextCacheOptions): MemoryStore {
  return new MemoryStore({
    maxEntries: options.maxEntries ?? DEFAULT_NEXT_MAX_ENTRIES,
    maxBytes: options.maxMemoryBytes ?? DEFAULT_NEXT_MAX_MEMORY_BYTES,
    sizeOf: serializedSize,
  })
}

/** What an entry would take on Redis (its serialized UTF-8 size), the measure of every memory bound here. */
function serializedSize(entry: CacheEntry, key: string): number {
  try {
    return utf8Bytes(serializeEntry(entry, Infinity)) + key.length
  } catch {
    return Infinity // a value devalue cannot write is not kept in memory either
  }
}

/** The default report: store and hook errors, each message once, so an outage is one line and not one per request. */
function reporter(onEvent: NextCacheOptions['onEvent']): (event: CacheEvent) => void {
  if (onEvent !== undefined) return (event) => callSafely(() => onEvent(event), () => {})
  const said = new Set<string>()
  return (event) => {
    if (event.type !== 'error' || (event.phase !== 'store' && event.phase !== 'hook')) return
    const message = (event.error as Error | undefined)?.message ?? String(event.error)
    if (said.has(message)) return
    if (said.size > 100) said.clear()
    said.add(message)
    console.warn(`[revalidate] Next.js cache: ${message}${event.key === '' ? '' : ` (key ${event.key.slice(0, 120)})`}`)
  }
}

/**
 * The Next.js cache of this process, made on first use and shared by both handlers and by every
 * copy of the runtime. A second call with other options is a mistake (one process, one cache).
 */
export function nextCache(options: NextCacheOptions = {}): NextCache {
  const installed = installedNextCache()
  if (installed instanceof NextCache) {
    if (!installed.sameAs(options)) {
      throw new TypeError('The Next.js cache of this process is already set up with other options: give both handlers (cacheHandlers and cacheHandler) the same options, or the same store')
    }
    return installed
  }
  const cache = new NextCache(options)
  installNextCache(cache)
  // The default cache of this server keeps its entries in the same store, and its invalidations reach Next's.
  adoptPlatformDefaults(() => cache.defaultCacheOptions())
  return cache
}
