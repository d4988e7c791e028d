/**
 * Entries in the browser's Cache Storage (`caches.open`), shared by every tab of the origin and
 * its service worker and kept across reloads, behind a bounded tier in the tab's memory.
 *
 *   https://revalidate.invalid/e/<key>   one entry: the serialized envelope. Its request carries
 *                                        the entry's tags and times (x-revalidate-*), so listing
 *                                        the cache finds tagged and expired entries unread
 *   https://revalidate.invalid/index     when each key was last used, for least-recently-used eviction
 *
 * The BroadcastChannel `revalidate:<cacheName>` tells every other tab (and the service worker)
 * at once about an invalidation, so they drop their memory copies and fence their own fetches,
 * and about a key written anew, so they read it instead of refreshing it again. The Web Locks API
 * gives one fetch per key across tabs; without it (insecure contexts, old browsers) each tab
 * fetches for itself.
 *
 * A write may land after another tab's invalidation deleted the key. Each entry records when the
 * fetch that made it began (`writeFence`), and an invalidation made at `at` undoes what a fetch
 * begun by then wrote: a write still on its way is deleted once it lands (shared-store.ts), and
 * when a write of this tab has landed since `at`, the covered entries fetched by then are deleted
 * from Cache Storage. That needs no list of past writes, only the writes on their way and when the
 * last one landed.
 *
 * Cache Storage failing (a full quota, storage unavailable or blocked) never breaks a page: the
 * first failure is thrown once for the coordinator to report (onEvent), the tab goes on with its
 * memory tier, and writes to Cache Storage pause for a minute after a failed one.
 */
import { timerDelay } from '../clock.js'
import { covers, invalidationOf, readInstanceMessage, type InstanceMessage } from '../invalidation.js'
import { DEFAULT_LOCK_SECONDS } from './locks.js'
import { deserializeEntry, utf8Bytes } from '../serialize.js'
import { SharedStore, type RemoteEntry, type SharedStoreOptions, type WriteOutcome } from './shared-store.js'
import type { CacheEntry, Invalidation, ListedEntry, ListEntriesOptions } from '../types.js'
import { batchSizeOf, illFormedName } from '../validate.js'

export interface CacheStorageStoreOptions {
  /**
   * Name of the cache in Cache Storage and of the BroadcastChannel. Tabs and a service worker
   * that use the same name share entries, locks and invalidations.
   * @default 'revalidate'
   */
  cacheName?: string
  /**
   * Most entries kept in Cache Storage for the whole origin (every tab and the service worker
   * writing under `cacheName`); past it the least recently used go. Expired entries go first.
   * @default 1000
   */
  maxEntries?: number
  /**
   * Entries kept in this tab's memory in front of Cache Storage, so a hot key costs no Cache
   * Storage read. `false` for none (every read goes to Cache Storage).
   * @default 500
   */
  memoryMaxEntries?: number | false
  /**
   * Bytes of serialized entries (UTF-8) the tab's memory keeps at most; past it the least recently
   * used go, and an entry larger than this is read from Cache Storage each time.
   * @default 16 MiB
   */
  maxMemoryBytes?: number
  /**
   * Longest a tab holds a key's fetch lock; a lock is also let go when its tab closes.
   * @default 30
   */
  lockSeconds?: number
  /** Larger entries are not written, nor read if someone else wrote them. @default 8 MiB */
  maxEntryBytes?: number
}

export const DEFAULT_CACHE_NAME = 'revalidate'
export const DEFAULT_MEMORY_ENTRIES = 500
export const DEFAULT_MAX_MEMORY_BYTES = 16 * 1024 * 1024
const BASE_URL = 'https://revalidate.invalid/'
/** Where an entry's request is: this, then its key URI-encoded (the inspector's page reads them too). */
export const ENTRY_URL = `${BASE_URL}e/`
const INDEX_URL = `${BASE_URL}index`
const TAGS = 'x-revalidate-tags'
const WRITTEN_AT = 'x-revalidate-written-at'
const EXPIRES_AT = 'x-revalidate-expires-at'
/** When the fetch that made the entry began: an invalidation made at or after it undoes it. */
const FETCH_BEGAN = 'x-revalidate-fetch-began'
/** After a write to Cache Storage fails (usually a full quota), writes stay in memory this long. */
const WRITE_PAUSE_MS = 60_000
/** Uses of keys are gathered for this long before they are written to the index. */
const INDEX_FLUSH_DELAY_MS = 1000

/** The BroadcastChannel of the stores of one cache name. */
export const channelName = (cacheName: string) => `revalidate:${cacheName}`

/** What tabs tell each other (invalidation.ts), with when it was made. */
type Message = InstanceMessage & { at: number }

function checkCount(name: string, value: unknown): number {
  if (Number.isInteger(value) && (value as number) >= 1) return value as number
  throw new TypeError(`cacheStorageStore: ${name} must be a whole number of at least 1, got ${String(value)}`)
}

function parseMessage(data: unknown): Message | undefined {
  const message = readInstanceMessage(data)
  return typeof message?.at === 'number' ? (message as Message) : undefined
}

/** `decodeURIComponent`, or undefined for text that is not a valid escape (an entry someone else wrote). */
function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

const tagsOf = (request: Request): (string | undefined)[] => (request.headers.get(TAGS) ?? '').split(',').filter(Boolean).map(decode)

/** A time header of a stored request; a missing or bad one reads as 0 (long ago). */
const timeOf = (request: Request, header: string): number => Number(request.headers.get(header)) || 0

export class CacheStorageStore extends SharedStore {
  readonly kind = 'cache-storage'
  readonly maxEntries: number
  readonly lockSeconds: number
  readonly #cacheName: string
  readonly #channel: BroadcastChannel | undefined
  readonly #id = Math.random().toString(36).slice(2) + Date.now().toString(36)
  /** When a write of this tab last landed in Cache Storage. */
  #lastLandedAt = Number.NEGATIVE_INFINITY
  readonly #heldLocks = new Map<string, () => void>()
  /** Keys read since the index was last written. */
  readonly #used = new Set<string>()
  #cache: Promise<Cache> | undefined
  /** Set while Cache Storage fails: later failures are not thrown again until it works once more. */
  #failing = false
  #writesPausedUntil = 0
  #indexFlushScheduled = false
  #evicting: Promise<void> | undefined
  #evictAgain = false
  #lockCount = 0

  constructor(options: CacheStorageStoreOptions = {}) {
    // Its maxEntries bounds Cache Storage; the memory tier's is memoryMaxEntries.
    const memoryMaxEntries = options.memoryMaxEntries ?? DEFAULT_MEMORY_ENTRIES
    const tier: SharedStoreOptions = { maxEntries: memoryMaxEntries === false ? false : checkCount('memoryMaxEntries', memoryMaxEntries), maxMemoryBytes: options.maxMemoryBytes, maxEntryBytes: options.maxEntryBytes }
    super('cacheStorageStore', tier, { maxEntries: DEFAULT_MEMORY_ENTRIES, maxMemoryBytes: DEFAULT_MAX_MEMORY_BYTES })
    this.#cacheName = options.cacheName ?? DEFAULT_CACHE_NAME
    if (typeof this.#cacheName !== 'string' || this.#cacheName === '') {
      throw new TypeError(`cacheStorageStore: cacheName must be a non-empty string, got ${String(options.cacheName)}`)
    }
    this.maxEntries = checkCount('maxEntries', options.maxEntries ?? 1000)
    this.lockSeconds = options.lockSeconds ?? DEFAULT_LOCK_SECONDS
    if (!(this.lockSeconds > 0 && Number.isFinite(this.lockSeconds))) {
      throw new TypeError(`cacheStorageStore: lockSeconds must be a finite number of seconds above 0, got ${String(options.lockSeconds)}`)
    }
    if (typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(channelName(this.#cacheName))
      this.#channel.onmessage = (event) => this.#receive(event.data)
    }
    globalThis.addEventListener?.('pageshow', this.#onPageShow)
  }

  // Chromium evicts a page in the back/forward cache when a message reaches its channel; a browser
  // that keeps and later restores it may have had invalidations missed meanwhile: start over, as
  // for an "all" made elsewhere just now (what was on its way is fenced too).
  readonly #onPageShow = (event: Event): void => {
    if ((event as PageTransitionEvent).persisted) this.heard({ kind: 'all' }, Date.now())
  }

  /**
   * Stops hearing and telling the other tabs (closes the BroadcastChannel) and lets go of this
   * store's fetch locks. Entries stay in Cache Storage for the other tabs and later loads. For a
   * store that `configure()` replaced, or a test's.
   */
  close(): void {
    this.#channel?.close()
    globalThis.removeEventListener?.('pageshow', this.#onPageShow)
    for (const token of [...this.#heldLocks.keys()]) this.#release(token)
  }

  /** Memory is kept in step by the channel; a use is noted for Cache Storage's eviction order. */
  protected servesFromMemory(key: string): boolean {
    this.#markUsed(key)
    return true
  }

  protected async readRemote(key: string): Promise<RemoteEntry | undefined> {
    const text = await this.#attempt(async (cache) => (await cache.match(this.#entryUrl(key)))?.text(), undefined)
    const entry = deserializeEntry(text, this.maxEntryBytes)
    if (entry === undefined) return undefined
    this.#markUsed(key)
    return { entry, bytes: utf8Bytes(text!) }
  }

  /** When a fetch begins (the coordinator asks just before it calls the fetcher): handed back to `set` with its value. */
  writeFence(): number {
    return Date.now()
  }

  /** An invalidation made by then (another tab's `at`) undoes the write. */
  protected override fetchBegan(fence: unknown): number {
    return typeof fence === 'number' ? fence : Date.now()
  }

  protected async writeRemote(key: string, entry: CacheEntry, body: string, fence: unknown): Promise<WriteOutcome> {
    if (Date.now() < this.#writesPausedUntil) return 'unwritten'
    const writtenAt = Date.now()
    const request = new Request(this.#entryUrl(key), {
      headers: {
        [TAGS]: (entry.tags ?? []).map((tag) => encodeURIComponent(tag)).join(','),
        [WRITTEN_AT]: String(writtenAt),
        [EXPIRES_AT]: String(writtenAt + entry.ttlMs + entry.staleMs),
        [FETCH_BEGAN]: String(typeof fence === 'number' ? fence : writtenAt),
      },
    })
    const stored = await this.#attempt(async (cache) => {
      try {
        await cache.put(request, new Response(body))
      } catch (error) {
        this.#writesPausedUntil = Date.now() + WRITE_PAUSE_MS
        // Other tabs must not go on reading an older copy than this tab keeps; deleting frees space too.
        await cache.delete(request).catch(() => false)
        throw error
      }
      return true
    }, false)
    if (!stored) return 'unwritten'
    this.#lastLandedAt = Date.now()
    return 'written'
  }

  protected override async undoWrite(key: string): Promise<void> {
    await this.#attempt((cache) => cache.delete(this.#entryUrl(key)), false)
  }

  protected override written(key: string): void {
    this.#post({ kind: 'fill', key })
    this.#evictInBackground()
  }

  /**
   * One fetch per key across the origin's tabs, through the Web Locks API. The lock is let go on
   * release, after `lockSeconds`, or when the tab holding it closes. Without Web Locks every
   * caller gets a token: each tab fetches for itself (the coordinator still fetches once per tab).
   */
  acquireLock(key: string, version?: string): Promise<string | undefined> {
    const bad = illFormedName('cacheStorageStore.acquireLock', 'key', key)
    if (bad) return Promise.reject(bad)
    const token = `${this.#id}:${++this.#lockCount}`
    const locks = globalThis.navigator?.locks
    if (locks === undefined) return Promise.resolve(token)
    return new Promise((resolve, reject) => {
      locks
        // One lock per key and version: a deploy's new code never waits for the old code's fetch.
        .request(`revalidate:${this.#cacheName}:${key}${version === undefined ? '' : `\0${version}`}`, { ifAvailable: true }, (lock) => {
          if (lock === null) return resolve(undefined)
          return new Promise<void>((release) => {
            const timer = setTimeout(() => this.#release(token), timerDelay(this.lockSeconds * 1000))
            this.#heldLocks.set(token, () => {
              clearTimeout(timer)
              release()
            })
            resolve(token)
          })
        })
        .catch(reject)
    })
  }

  async releaseLock(_key: string, token: string): Promise<void> {
    this.#release(token)
  }

  #release(token: string): void {
    this.#heldLocks.get(token)?.()
    this.#heldLocks.delete(token)
  }

  /**
   * The origin's entries in Cache Storage, every tab's and the service worker's: the cache's
   * requests at once (the Cache API lists no other way), their bodies `batchSize` at a time. An
   * entry gone meanwhile, or unreadable, is left out.
   */
  override async *entries(options?: ListEntriesOptions): AsyncIterable<ListedEntry> {
    const batchSize = batchSizeOf(options)
    const cache = await this.#open()
    const requests = (await cache.keys()).filter((request) => request.url.startsWith(ENTRY_URL))
    for (let from = 0; from < requests.length; from += batchSize) {
      const batch = requests.slice(from, from + batchSize)
      const texts = await Promise.all(batch.map(async (request) => (await cache.match(request))?.text()))
      for (const [at, text] of texts.entries()) {
        const key = decode(batch[at]!.url.slice(ENTRY_URL.length))
        const entry = deserializeEntry(text, this.maxEntryBytes)
        if (key !== undefined && entry !== undefined) yield { key, entry, bytes: utf8Bytes(text!) }
      }
    }
  }

  /** Opened on first use; rejects (and keeps rejecting) where Cache Storage is unavailable. */
  #open(): Promise<Cache> {
    if (this.#cache === undefined) {
      this.#cache =
        typeof caches === 'undefined'
          ? Promise.reject(new Error('cacheStorageStore: Cache Storage is not available here (it needs a secure context: https, or http://localhost); entries are kept in memory only'))
          : caches.open(this.#cacheName)
    }
    return this.#cache
  }

  /** Runs work on the cache; a failure is thrown once, to be reported, and `fallback` is returned after that. */
  async #attempt<T>(work: (cache: Cache) => Promise<T>, fallback: T): Promise<T> {
    try {
      const result = await work(await this.#open())
      this.#failing = false
      return result
    } catch (error) {
      if (this.#failing) return fallback
      this.#failing = true
      throw error
    }
  }

  #entryUrl(key: string): string {
    return ENTRY_URL + encodeURIComponent(key)
  }

  protected async invalidateRemote(invalidation: Invalidation): Promise<void> {
    const at = Date.now()
    try {
      await this.#attempt((cache) => this.#deleteStored(cache, invalidation), undefined)
    } finally {
      // After the delete: a tab that hears it and reads Cache Storage finds the entry gone.
      this.#post(invalidation, at)
    }
  }

  async #deleteStored(cache: Cache, invalidation: Invalidation): Promise<void> {
    if (invalidation.kind === 'key') {
      await cache.delete(this.#entryUrl(invalidation.key))
      return
    }
    const requests = await cache.keys()
    const doomed = invalidation.kind === 'all' ? requests : requests.filter((request) => tagsOf(request).includes(invalidation.tag))
    await Promise.all(doomed.map((request) => cache.delete(request)))
  }

  #post(body: Invalidation | { kind: 'fill'; key: string }, at = Date.now()): void {
    try {
      this.#channel?.postMessage({ ...body, at, from: this.#id } satisfies Message)
    } catch {
      // A closed channel (the page is being unloaded): nobody is left to tell.
    }
  }

  #receive(data: unknown): void {
    const message = parseMessage(data)
    if (message === undefined || message.from === this.#id) return
    // Another tab wrote this key anew: read its value instead of refreshing the old one again.
    if (message.kind === 'fill') return this.refilled(message.key)
    const invalidation = invalidationOf(message)
    this.heard(invalidation, message.at)
    // A write of this tab that landed since `at` may have landed after that tab's delete.
    if (this.#lastLandedAt >= message.at) {
      this.#attempt((cache) => this.#deleteFetchedBy(cache, invalidation, message.at), undefined).catch(() => {})
    }
  }

  /**
   * Deletes the entries `invalidation` covers whose fetch began by `at`, and tells the other tabs
   * to drop any copy they read meanwhile.
   */
  async #deleteFetchedBy(cache: Cache, invalidation: Invalidation, at: number): Promise<void> {
    const requests = invalidation.kind === 'key' ? await cache.keys(this.#entryUrl(invalidation.key)) : await cache.keys()
    for (const request of requests) {
      const key = request.url.startsWith(ENTRY_URL) ? decode(request.url.slice(ENTRY_URL.length)) : undefined
      if (key === undefined || timeOf(request, FETCH_BEGAN) > at || !covers(invalidation, key, tagsOf(request).filter((tag) => tag !== undefined))) continue
      await cache.delete(request)
      this.#post({ kind: 'fill', key })
    }
  }

  #markUsed(key: string): void {
    this.#used.add(key)
    if (this.#indexFlushScheduled) return
    this.#indexFlushScheduled = true
    setTimeout(() => {
      this.#indexFlushScheduled = false
      // The index only orders eviction: losing an update costs nothing but a less exact order.
      this.#attempt((cache) => this.#writeIndex(cache), undefined).catch(() => {})
    }, INDEX_FLUSH_DELAY_MS)
  }

  /** Adds this tab's recent uses to the index, under a lock where tabs can share one. */
  async #writeIndex(cache: Cache): Promise<void> {
    const used = [...this.#used]
    this.#used.clear()
    const update = async () => {
      const index = await this.#readIndex(cache)
      const now = Date.now()
      for (const key of used) {
        index.delete(key)
        index.set(key, now)
      }
      // Most recent last; twice the bound leaves room for keys whose entries are gone.
      const kept = [...index].sort((a, b) => a[1] - b[1]).slice(-2 * this.maxEntries)
      await cache.put(INDEX_URL, new Response(JSON.stringify(kept)))
    }
    const locks = globalThis.navigator?.locks
    await (locks === undefined ? update() : locks.request(`revalidate:${this.#cacheName}:index`, update))
  }

  async #readIndex(cache: Cache): Promise<Map<string, number>> {
    const index = new Map<string, number>()
    const response = await cache.match(INDEX_URL)
    try {
      const pairs: unknown = JSON.parse((await response?.text()) ?? '[]')
      if (!Array.isArray(pairs)) return index
      for (const pair of pairs) {
        if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'number') index.set(pair[0], pair[1])
      }
    } catch {
      // An unreadable index orders nothing; entries fall back to when they were written.
    }
    return index
  }

  /** Keeps Cache Storage within `maxEntries`, one pass at a time, after the write that prompted it. */
  #evictInBackground(): void {
    if (this.#evicting !== undefined) {
      this.#evictAgain = true
      return
    }
    this.#evicting = this.#attempt((cache) => this.#evict(cache), undefined)
      .catch(() => {}) // the next write tries again
      .then(() => {
        this.#evicting = undefined
        if (this.#evictAgain) {
          this.#evictAgain = false
          this.#evictInBackground()
        }
      })
  }

  async #evict(cache: Cache): Promise<void> {
    const now = Date.now()
    const entries = (await cache.keys()).filter((request) => request.url.startsWith(ENTRY_URL))
    // A missing or bad time reads as 0: such an entry is expired, and the first to go.
    const expired = entries.filter((request) => timeOf(request, EXPIRES_AT) <= now)
    const live = entries.filter((request) => timeOf(request, EXPIRES_AT) > now)
    const doomed = expired
    if (live.length > this.maxEntries) {
      const index = await this.#readIndex(cache)
      const lastUse = (request: Request) => {
        const key = decode(request.url.slice(ENTRY_URL.length))
        return Math.max((key !== undefined && index.get(key)) || 0, timeOf(request, WRITTEN_AT))
      }
      const byLastUse = live.map((request) => ({ request, at: lastUse(request) })).sort((a, b) => a.at - b.at)
      for (const { request } of byLastUse.slice(0, live.length - this.maxEntries)) doomed.push(request)
    }
    await Promise.all(doomed.map((request) => cache.delete(request)))
  }
}

export function cacheStorageStore(options?: CacheStorageStoreOptions): CacheStorageStore {
  return new CacheStorageStore(options)
}
