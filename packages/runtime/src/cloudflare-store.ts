/**
 * Entries in the Workers Cache API, behind a tier in isolate memory bounded by entries and bytes.
 *
 *   <origin>/<prefix>e/<key>     an entry: the serialized envelope, `Cache-Control: max-age` =
 *                                ttl + staleSeconds (the edge drops what may no longer be served)
 *                                and `x-revalidate-written-at` (when the fetch that made it began)
 *   <origin>/<prefix>m/...       invalidation markers for tags and "all" (cloudflare-markers.ts)
 *
 * The Cache API keeps no freshness of its own that we can use (production Workers ignore
 * stale-while-revalidate), so every entry carries its metadata and the coordinator judges it.
 *
 * Reach. The Cache API is per data centre, and a cache (it may evict a marker with entries).
 * Without a coordinator an isolate trusts its memory tier and the markers it read for
 * `syncSeconds`, then checks the Cache API again: an invalidation reaches every isolate of the
 * location within that time and the isolate that made it at once; other data centres keep their
 * entries until they expire. With `coordinator` (a `RevalidateCoordinator` Durable Object) every
 * invalidation is recorded durably and every isolate, in every location, syncs with it at most
 * once per `syncSeconds`; an entry written before what an isolate has synced is asked about; and
 * one fetch per key runs at a time across locations, the others taking its value. When the
 * coordinator cannot be reached, each location goes on as without it (coordinator-client.ts).
 *
 * Invalidation inside this isolate is exact, whatever is on its way: a Cache API read that began
 * before an invalidation does not fill the memory tier, and a write still on its way when one
 * reaches it is deleted again once it lands. Each part of an invalidation (the coordinator, this
 * location's Cache API) is attempted whatever the others do, and a failure is thrown once all are
 * over, to be reported.
 *
 * Keys and tags must be well-formed Unicode (validate.ts): one holding a lone surrogate is a
 * TypeError before anything is kept, here or on the coordinator.
 */
import { DEFAULT_LOCK_SECONDS } from './cache.js'
import { LocationMarkers } from './cloudflare-markers.js'
import type { CoordinatorNamespace, Fill } from './coordinator-protocol.js'
import { CoordinatorClient } from './coordinator-client.js'
import { callSafely } from './hooks.js'
import { MemoryTier } from './memory-tier.js'
import { DEFAULT_MAX_ENTRY_BYTES, deserializeEntry, serializeEntry, storedLifetimeSeconds } from './serialize.js'
import type { CacheEntry, CacheStore, Invalidation, ListedEntry } from './types.js'
import { illFormedName, refuseIllFormed } from './validate.js'

export interface CloudflareStoreOptions {
  /**
   * Name of the cache to open with `caches.open`.
   * @default 'revalidate'
   */
  cacheName?: string
  /**
   * Origin of the cache keys: entries are stored as requests to `<origin>/<prefix>e/<key>`.
   * Cloudflare recommends your Worker's own hostname for Cache API keys.
   * @default 'https://revalidate.internal'
   */
  origin?: string
  /** Namespace inside the cache (and of the coordinator's objects), for several caches in one Worker. @default '' */
  prefix?: string
  /**
   * Entries kept in isolate memory, so a hot key costs no Cache API call. `false` for none.
   * @default 500
   */
  maxEntries?: number | false
  /** @deprecated The same as `maxEntries` (one name for one setting in every store). */
  memoryEntries?: number | false
  /**
   * Bytes of serialized entries (UTF-8) the memory tier keeps at most; past it the least recently
   * used go. A Worker isolate has 128 MB for everything, and a value in memory takes a few times
   * its serialized size.
   * @default 8 MiB
   */
  maxMemoryBytes?: number
  /**
   * How long an isolate serves from its memory tier without checking: against the Cache API and
   * its markers without a coordinator (the longest another isolate of the location may serve an
   * entry invalidated elsewhere), against the coordinator with one (the longest any isolate,
   * anywhere, may). 0 checks on every read.
   * @default 1
   */
  syncSeconds?: number
  /**
   * Largest entry written to (or read from) the Cache API, in UTF-8 bytes of its serialized form.
   * @default 8 MiB
   */
  maxEntryBytes?: number
  /**
   * The Durable Object namespace bound to `RevalidateCoordinator` (`env.REVALIDATE`): invalidation
   * reaches every location within `syncSeconds` and survives the Cache API's evictions, and one
   * fetch per key runs at a time across locations. Without it, each location is on its own.
   * @example cloudflareStore({ coordinator: env.REVALIDATE })
   */
  coordinator?: CoordinatorNamespace
  /**
   * Coordinator objects to spread keys over, by hash: leases, key invalidations and the questions
   * about old entries divide between them; invalidations of tags and "all" go to each, and every
   * isolate syncs with each once per syncSeconds. Cloudflare gives one object a soft limit of
   * 1,000 requests a second (docs/targets/cloudflare.md, "Load on the coordinator", has what ours took in workerd).
   * @default 1
   */
  shards?: number
  /**
   * A coordinator call slower than this counts as the coordinator being unreachable for that
   * call: the request goes on per location instead of waiting.
   * @default 1000
   */
  coordinatorTimeoutMs?: number
  /**
   * How long a fetch's lease lives if its holder never ends it (its isolate was cut off): then
   * another location fetches. Also how long a caller waits for another location's value.
   * @default 30 (what `waitUntil` gives background work)
   */
  lockSeconds?: number
}

export const DEFAULT_MEMORY_ENTRIES = 500
export const DEFAULT_MAX_MEMORY_BYTES = 8 * 1024 * 1024
/** Values larger than this are not handed to waiting locations through the coordinator: they fetch. */
const MAX_FILL_BYTES = 1024 * 1024
const WRITTEN_AT = 'x-revalidate-written-at'

/** An entry as the Cache API holds it. */
interface StoredEntry {
  entry: CacheEntry
  writtenAt: number
  bytes: number
}

/** A write on its way to the Cache API; an invalidation that reaches it marks it for undoing. */
interface PendingWrite {
  readonly tags: readonly string[]
  overtaken: boolean
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class CloudflareStore implements CacheStore {
  readonly kind = 'cloudflare'
  readonly #cacheName: string
  readonly #base: string
  readonly #syncMs: number
  readonly #maxEntryBytes: number
  readonly #memory: MemoryTier | undefined
  readonly #markers: LocationMarkers
  readonly #coordinator: CoordinatorClient | undefined
  readonly #listeners = new Set<(invalidation: Invalidation) => void>()
  /** When this isolate last confirmed an entry of its memory tier against the Cache API. */
  readonly #verifiedAt = new WeakMap<CacheEntry, number>()
  /** Counts invalidations seen here: a read that overlapped one must not fill the memory tier. */
  #invalidations = 0
  readonly #writes = new Map<string, Set<PendingWrite>>()
  #cache: Promise<Cache> | undefined

  /** With a coordinator: its leases, one fetch per key across locations. */
  readonly acquireLock?: (key: string, version?: string) => Promise<string | undefined>
  readonly releaseLock?: (key: string, token: string) => Promise<void>
  readonly lockSeconds?: number
  /** With a coordinator: invalidations made in other isolates and locations, as it learns them. */
  readonly subscribe?: (listener: (invalidation: Invalidation) => void) => () => void

  constructor(options: CloudflareStoreOptions = {}) {
    this.#cacheName = options.cacheName ?? 'revalidate'
    const prefix = options.prefix ?? ''
    this.#base = `${(options.origin ?? 'https://revalidate.internal').replace(/\/$/, '')}/${prefix}`
    this.#syncMs = checkSyncSeconds(options.syncSeconds ?? 1) * 1000
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    const maxEntries = options.maxEntries ?? options.memoryEntries ?? DEFAULT_MEMORY_ENTRIES
    this.#memory = maxEntries === false ? undefined : new MemoryTier({ maxEntries, maxBytes: options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES })
    this.#markers = new LocationMarkers({ open: () => this.#open(), base: this.#base, syncMs: this.#syncMs })
    if (options.coordinator === undefined) return
    const lockSeconds = options.lockSeconds ?? DEFAULT_LOCK_SECONDS
    const coordinator = new CoordinatorClient({
      namespace: options.coordinator,
      shards: checkShards(options.shards ?? 1),
      name: `revalidate/${prefix}`,
      syncMs: this.#syncMs,
      timeoutMs: options.coordinatorTimeoutMs ?? 1000,
      leaseMs: lockSeconds * 1000,
      onChange: (invalidation, remote) => remote && this.#learn(invalidation),
      onReset: () => {
        this.#invalidations++
        this.#memory?.clear()
      },
    })
    this.#coordinator = coordinator
    this.lockSeconds = lockSeconds
    this.acquireLock = (key, version) => this.#acquire(coordinator, key, version)
    this.releaseLock = (key, token) => coordinator.release(key, token)
    this.subscribe = (listener) => {
      this.#listeners.add(listener)
      return () => this.#listeners.delete(listener)
    }
  }

  /** What the memory tier holds now; for diagnostics and tests. */
  get memoryUsage(): { entries: number; bytes: number } {
    return this.#memory?.usage ?? { entries: 0, bytes: 0 }
  }

  /**
   * The entries of this isolate's memory tier, with their sizes: the Workers Cache API has no way
   * to list what it holds. They are what this isolate serves without asking: every invalidation
   * the coordinator's log (or the location's markers) told it of has taken its entries out.
   */
  async *entries(): AsyncIterable<ListedEntry> {
    if (this.#memory !== undefined) yield* this.#memory.entries()
  }

  /** Opened on first use: `caches` belongs to the request context, not to module evaluation. A failed open is tried again next time. */
  #open(): Promise<Cache> {
    this.#cache ??= caches.open(this.#cacheName).catch((error: unknown) => {
      this.#cache = undefined
      throw error
    })
    return this.#cache
  }

  #url(key: string): string {
    return `${this.#base}e/${encodeURIComponent(key)}`
  }

  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    const local = this.#memory?.get(key)
    if (local !== undefined && this.#trusted(local)) return local
    const bad = illFormedName('cloudflareStore.get', 'key', key) // never in memory: set refuses it
    if (bad) throw bad
    return this.#coordinator === undefined ? this.#readThrough(key, local) : this.#readCoordinated(this.#coordinator, key, local)
  }

  /** A memory entry needs no check: synced with the coordinator, or (per location) confirmed, within syncSeconds. */
  #trusted(entry: CacheEntry): boolean {
    if (this.#coordinator?.reachable) return this.#coordinator.fresh()
    return Date.now() - (this.#verifiedAt.get(entry) ?? 0) < this.#syncMs
  }

  /** Per location: reads `key` from the Cache API and its markers; `unverified` is what memory held, to drop if it is gone. */
  async #readThrough(key: string, unverified: CacheEntry | undefined): Promise<CacheEntry | undefined> {
    const invalidationsBefore = this.#invalidations
    const stored = await this.#readEntry(key)
    const invalidated =
      stored === undefined ||
      this.#coordinator?.knownInvalidated(key, stored.entry.tags ?? [], stored.writtenAt) === true ||
      (await this.#markers.invalidatedSince(stored.writtenAt, stored.entry.tags ?? []))
    if (invalidated) {
      if (unverified !== undefined && this.#memory?.get(key) === unverified) this.#memory.delete(key)
      return undefined
    }
    // An invalidation arrived while this read was on its way: its caller began before it and may
    // have the value, but the memory tier must not keep it.
    if (invalidationsBefore === this.#invalidations) this.#remember(key, stored.entry, stored.bytes)
    return stored.entry
  }

  /** With the coordinator: sync if due (which drops what it invalidated from memory), then ask about what the Cache API holds. */
  async #readCoordinated(coordinator: CoordinatorClient, key: string, unverified: CacheEntry | undefined): Promise<CacheEntry | undefined> {
    if (await coordinator.sync()) {
      const synced = this.#memory?.get(key)
      if (synced !== undefined) return synced
      const invalidationsBefore = this.#invalidations
      const stored = await this.#readEntry(key)
      if (stored === undefined) return undefined
      const tags = stored.entry.tags ?? []
      const invalidated = await coordinator.invalidated(key, tags, stored.writtenAt)
      if (invalidated === true) return undefined
      if (invalidated === false) {
        if (invalidationsBefore === this.#invalidations && !coordinator.knownInvalidated(key, tags, stored.writtenAt)) {
          this.#remember(key, stored.entry, stored.bytes)
        }
        return stored.entry
      }
    }
    // Unreachable: the first failure of an outage is reported (the caller fetches), then each location goes on its own.
    const outage = coordinator.takeOutageReport()
    if (outage !== undefined) throw outage
    return this.#readThrough(key, unverified)
  }

  /** The entry the Cache API holds for `key`; anything unreadable or too large is none. */
  async #readEntry(key: string): Promise<StoredEntry | undefined> {
    const response = await (await this.#open()).match(this.#url(key))
    if (response === undefined) return undefined
    const writtenAt = Number(response.headers.get(WRITTEN_AT))
    if (!Number.isFinite(writtenAt) || Number(response.headers.get('content-length')) > this.#maxEntryBytes) {
      await response.body?.cancel()
      return undefined
    }
    const body = await response.arrayBuffer()
    if (body.byteLength > this.#maxEntryBytes) return undefined
    const entry = deserializeEntry(decoder.decode(body), this.#maxEntryBytes)
    return entry === undefined ? undefined : { entry, writtenAt, bytes: body.byteLength }
  }

  #remember(key: string, entry: CacheEntry, bytes: number): void {
    if (this.#memory === undefined) return
    this.#memory.set(key, entry, bytes)
    this.#verifiedAt.set(entry, Date.now())
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const tags = entry.tags ?? []
    refuseIllFormed('cloudflareStore.set', 'key', [key])
    refuseIllFormed('cloudflareStore.set', 'tag', tags)
    const text = serializeEntry(entry, this.#maxEntryBytes, key) // throws for an entry over maxEntryBytes
    const body = encoder.encode(text)
    // With the coordinator, the time its lease began on the coordinator's clock: invalidations anywhere compare with it.
    const writtenAt = this.#coordinator?.leaseTime(key) ?? Date.now()
    if (body.byteLength <= MAX_FILL_BYTES) this.#coordinator?.attachFill(key, { text, tags, shareMs: entry.ttlMs, version: entry.version })
    if (this.#coordinator?.unvouched(key, tags, writtenAt) !== true) this.#remember(key, entry, body.byteLength)
    await this.#put(key, body, entry, writtenAt)
  }

  /** Writes to the Cache API; a write that an invalidation reaches on its way goes again once it lands. */
  async #put(key: string, body: Uint8Array<ArrayBuffer>, entry: CacheEntry, writtenAt: number): Promise<void> {
    const write: PendingWrite = { tags: entry.tags ?? [], overtaken: false }
    const writes = this.#writes.get(key) ?? new Set()
    this.#writes.set(key, writes.add(write))
    const headers = { 'content-type': 'application/json', 'cache-control': `max-age=${storedLifetimeSeconds(entry)}`, [WRITTEN_AT]: String(writtenAt) }
    const cache = await this.#open()
    try {
      await cache.put(this.#url(key), new Response(body, { headers }))
    } finally {
      writes.delete(write)
      if (writes.size === 0 && this.#writes.get(key) === writes) this.#writes.delete(key)
    }
    if (write.overtaken) await cache.delete(this.#url(key))
  }

  /** With the coordinator: a lease, or the value of `version` another location fetched meanwhile (kept here too). */
  async #acquire(coordinator: CoordinatorClient, key: string, version: string | undefined): Promise<string | undefined> {
    refuseIllFormed('cloudflareStore.acquireLock', 'key', [key])
    const outage = coordinator.takeOutageReport()
    if (outage !== undefined) throw outage
    const lease = await coordinator.acquire(key, version)
    if ('token' in lease) return lease.token
    if ('fill' in lease) await this.#keepFill(key, lease.fill, version)
    return undefined
  }

  async #keepFill(key: string, fill: Fill, version: string | undefined): Promise<void> {
    const entry = deserializeEntry(fill.text, this.#maxEntryBytes)
    // The coordinator hands out only the version asked for; one of another Worker's deploy (it may bind an older coordinator) is checked all the same.
    if (entry === undefined || entry.version !== version || this.#coordinator?.unvouched(key, entry.tags ?? [], fill.writtenAt)) return
    const body = encoder.encode(fill.text)
    this.#remember(key, entry, body.byteLength)
    await this.#put(key, body, entry, fill.writtenAt)
  }

  /** What an invalidation does in this isolate: overtakes writes on their way, stops reads from filling memory, empties memory. */
  #apply(invalidation: Invalidation): void {
    this.#invalidations++
    for (const [key, writes] of this.#writes) {
      for (const write of writes) {
        if (invalidation.kind === 'all' || (invalidation.kind === 'key' ? key === invalidation.key : write.tags.includes(invalidation.tag))) write.overtaken = true
      }
    }
    if (invalidation.kind === 'key') this.#memory?.delete(invalidation.key)
    else if (invalidation.kind === 'tag') this.#memory?.deleteTag(invalidation.tag)
    else this.#memory?.clear()
  }

  /** An invalidation made elsewhere, learned from the coordinator: applied here, and fences the coordinator's fetches. */
  #learn(invalidation: Invalidation): void {
    this.#apply(invalidation)
    // A listener that throws or rejects must not keep the invalidation from the others, nor fail the sync round.
    for (const listener of this.#listeners) callSafely(() => listener(invalidation), () => {})
  }

  async delete(key: string): Promise<void> {
    refuseIllFormed('cloudflareStore.delete', 'key', [key])
    this.#apply({ kind: 'key', key })
    await everyPart(
      async () => this.#coordinator?.invalidate('k', key),
      async () => (await this.#open()).delete(this.#url(key)),
    )
  }

  async deleteTag(tag: string): Promise<void> {
    refuseIllFormed('cloudflareStore.deleteTag', 'tag', [tag])
    this.#apply({ kind: 'tag', tag })
    await everyPart(
      async () => this.#coordinator?.invalidate('t', tag),
      async () => this.#markers.markTag(tag),
    )
  }

  async clear(): Promise<void> {
    this.#apply({ kind: 'all' })
    await everyPart(
      async () => this.#coordinator?.invalidate('a', ''),
      async () => this.#markers.markAll(),
    )
  }
}

/**
 * Runs each part of an invalidation, the coordinator first, whatever the others do (one throwing
 * at once included); rejects with the first failure once all of them are over.
 */
async function everyPart(...parts: Array<() => Promise<unknown>>): Promise<void> {
  const outcomes = await Promise.allSettled(parts.map((part) => part()))
  const failed = outcomes.find((outcome) => outcome.status === 'rejected')
  if (failed !== undefined) throw failed.reason
}

function checkSyncSeconds(syncSeconds: number): number {
  if (typeof syncSeconds === 'number' && Number.isFinite(syncSeconds) && syncSeconds >= 0) return syncSeconds
  throw new TypeError(
    `cloudflareStore: syncSeconds must be a finite number of seconds, 0 or more (0 checks on every read), got ${String(syncSeconds)}. See docs/targets/cloudflare.md.`,
  )
}

function checkShards(shards: number): number {
  if (Number.isInteger(shards) && shards >= 1) return shards
  throw new TypeError(`cloudflareStore: shards must be a whole number of at least 1, got ${String(shards)}`)
}

export function cloudflareStore(options?: CloudflareStoreOptions): CloudflareStore {
  return new CloudflareStore(options)
}
