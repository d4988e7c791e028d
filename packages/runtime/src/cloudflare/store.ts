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
 * Invalidation inside this isolate is exact, whatever is on its way (shared-store.ts): a Cache API
 * read that began before an invalidation does not fill the memory tier, and a write still on its
 * way when one reaches it is deleted again once it lands. Each part of an invalidation (the
 * coordinator, this location's Cache API) is attempted whatever the others do, and a failure is
 * thrown once all are over, to be reported.
 *
 * Keys and tags must be well-formed Unicode (validate.ts): one holding a lone surrogate is a
 * TypeError before anything is kept, here or on the coordinator.
 */
import { docsLink } from '../docs-link.js'
import { LocationMarkers } from './markers.js'
import type { CoordinatorNamespace, Fill } from './coordinator-protocol.js'
import { CoordinatorClient } from './coordinator-client.js'
import { DEFAULT_LOCK_SECONDS } from '../stores/locks.js'
import { deserializeEntry, storedLifetimeSeconds } from '../serialize.js'
import { SharedStore, type RemoteEntry, type WriteOutcome } from '../stores/shared-store.js'
import type { CacheEntry, Invalidation } from '../types.js'
import { refuseIllFormed } from '../validate.js'

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

/** What `set` gets for another location's value, kept here (`acquireLock`): when its fetch began, on the coordinator's clock. */
interface FillMark {
  readonly fillWrittenAt: number
}

const isFillMark = (fence: unknown): fence is FillMark => typeof (fence as Partial<FillMark> | undefined)?.fillWrittenAt === 'number'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class CloudflareStore extends SharedStore {
  readonly kind = 'cloudflare'
  readonly #cacheName: string
  readonly #base: string
  readonly #syncMs: number
  readonly #markers: LocationMarkers
  readonly #coordinator: CoordinatorClient | undefined
  /** When this isolate last confirmed an entry of its memory tier against the Cache API. */
  readonly #verifiedAt = new WeakMap<CacheEntry, number>()
  #cache: Promise<Cache> | undefined

  /** With a coordinator: its leases, one fetch per key across locations. */
  readonly acquireLock?: (key: string, version?: string) => Promise<string | undefined>
  readonly releaseLock?: (key: string, token: string) => Promise<void>
  readonly lockSeconds?: number

  constructor(options: CloudflareStoreOptions = {}) {
    super('cloudflareStore', options, { maxEntries: DEFAULT_MEMORY_ENTRIES, maxMemoryBytes: DEFAULT_MAX_MEMORY_BYTES })
    this.#cacheName = options.cacheName ?? 'revalidate'
    const prefix = options.prefix ?? ''
    this.#base = `${(options.origin ?? 'https://revalidate.internal').replace(/\/$/, '')}/${prefix}`
    this.#syncMs = checkSyncSeconds(options.syncSeconds ?? 1) * 1000
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
      // An invalidation made elsewhere: applied here, and it fences the coordinator's fetches.
      onChange: (invalidation, remote) => remote && this.heard(invalidation),
      onReset: () => this.resetMemory(),
    })
    this.#coordinator = coordinator
    this.lockSeconds = lockSeconds
    this.acquireLock = (key, version) => this.#acquire(coordinator, key, version)
    this.releaseLock = (key, token) => coordinator.release(key, token)
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

  /** A memory entry needs no check: synced with the coordinator, or (per location) confirmed, within syncSeconds. */
  protected servesFromMemory(_key: string, entry: CacheEntry): boolean {
    if (this.#coordinator?.reachable) return this.#coordinator.fresh()
    return Date.now() - (this.#verifiedAt.get(entry) ?? 0) < this.#syncMs
  }

  protected readRemote(key: string, unverified: CacheEntry | undefined): Promise<RemoteEntry | undefined> {
    return this.#coordinator === undefined ? this.#readThrough(key, unverified) : this.#readCoordinated(this.#coordinator, key, unverified)
  }

  /** Per location: reads `key` from the Cache API and its markers; `unverified` is what memory held, to drop if it is gone. */
  async #readThrough(key: string, unverified: CacheEntry | undefined): Promise<RemoteEntry | undefined> {
    const stored = await this.#readEntry(key)
    const invalidated =
      stored === undefined ||
      this.#coordinator?.knownInvalidated(key, stored.entry.tags ?? [], stored.writtenAt) === true ||
      (await this.#markers.invalidatedSince(stored.writtenAt, stored.entry.tags ?? []))
    if (invalidated) {
      if (unverified !== undefined) this.dropFromMemory(key, unverified)
      return undefined
    }
    return this.#verified(stored)
  }

  /** With the coordinator: sync if due (which drops what it invalidated from memory), then ask about what the Cache API holds. */
  async #readCoordinated(coordinator: CoordinatorClient, key: string, unverified: CacheEntry | undefined): Promise<RemoteEntry | undefined> {
    if (await coordinator.sync()) {
      const synced = this.heldInMemory(key)
      if (synced !== undefined) return { entry: synced, bytes: 0, keep: false }
      const since = this.invalidationCount
      const stored = await this.#readEntry(key)
      if (stored === undefined) return undefined
      const tags = stored.entry.tags ?? []
      const invalidated = await coordinator.invalidated(key, tags, stored.writtenAt)
      if (invalidated === true) return undefined
      if (invalidated === false) return { ...this.#verified(stored), since, keep: !coordinator.knownInvalidated(key, tags, stored.writtenAt) }
    }
    // Unreachable: the first failure of an outage is reported (the caller fetches), then each location goes on its own.
    const outage = coordinator.takeOutageReport()
    if (outage !== undefined) throw outage
    return this.#readThrough(key, unverified)
  }

  /** A stored entry just checked: memory serves it without checking again for syncSeconds. */
  #verified(stored: StoredEntry): RemoteEntry {
    this.#verifiedAt.set(stored.entry, Date.now())
    return { entry: stored.entry, bytes: stored.bytes }
  }

  /** The entry the Cache API holds for `key`; anything unreadable or too large is none. */
  async #readEntry(key: string): Promise<StoredEntry | undefined> {
    const response = await (await this.#open()).match(this.#url(key))
    if (response === undefined) return undefined
    const writtenAt = Number(response.headers.get(WRITTEN_AT))
    if (!Number.isFinite(writtenAt) || Number(response.headers.get('content-length')) > this.maxEntryBytes) {
      await response.body?.cancel()
      return undefined
    }
    const body = await response.arrayBuffer()
    if (body.byteLength > this.maxEntryBytes) return undefined
    const entry = deserializeEntry(decoder.decode(body), this.maxEntryBytes)
    return entry === undefined ? undefined : { entry, writtenAt, bytes: body.byteLength }
  }

  /** When the fetch that made a write began: with the coordinator, when its lease began on the coordinator's clock (invalidations anywhere compare with it). */
  #writtenAt(key: string, fence: unknown): number {
    return isFillMark(fence) ? fence.fillWrittenAt : (this.#coordinator?.leaseTime(key) ?? Date.now())
  }

  /** Memory keeps a write unless the coordinator knows of an invalidation after its fetch began (or has forgotten). */
  protected override keepsWritten(key: string, entry: CacheEntry, fence: unknown): boolean {
    if (this.#coordinator?.unvouched(key, entry.tags ?? [], this.#writtenAt(key, fence)) === true) return false
    this.#verifiedAt.set(entry, Date.now())
    return true
  }

  protected async writeRemote(key: string, entry: CacheEntry, text: string, fence: unknown): Promise<WriteOutcome> {
    const body = encoder.encode(text)
    const writtenAt = this.#writtenAt(key, fence)
    // Values the lease's holder wrote go to the locations waiting on it; not one it only took in.
    if (!isFillMark(fence) && body.byteLength <= MAX_FILL_BYTES) this.#coordinator?.attachFill(key, { text, tags: entry.tags ?? [], shareMs: entry.ttlMs, version: entry.version })
    const headers = { 'content-type': 'application/json', 'cache-control': `max-age=${storedLifetimeSeconds(entry)}`, [WRITTEN_AT]: String(writtenAt) }
    await (await this.#open()).put(this.#url(key), new Response(body, { headers }))
    return 'written'
  }

  /** A write that an invalidation reached on its way goes again once it lands. */
  protected override async undoWrite(key: string): Promise<void> {
    await (await this.#open()).delete(this.#url(key))
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
    const entry = deserializeEntry(fill.text, this.maxEntryBytes)
    // The coordinator hands out only the version asked for; one of another Worker's deploy (it may bind an older coordinator) is checked all the same.
    if (entry === undefined || entry.version !== version || this.#coordinator?.unvouched(key, entry.tags ?? [], fill.writtenAt)) return
    await this.set(key, entry, { fillWrittenAt: fill.writtenAt } satisfies FillMark)
  }

  protected async invalidateRemote(invalidation: Invalidation): Promise<void> {
    // Keys are deleted from this location's Cache API; tags and "all" leave a marker (cloudflare-markers.ts).
    const inLocation = async () => {
      if (invalidation.kind === 'key') return (await this.#open()).delete(this.#url(invalidation.key))
      return invalidation.kind === 'tag' ? this.#markers.markTag(invalidation.tag) : this.#markers.markAll()
    }
    const [kind, name] = invalidation.kind === 'key' ? (['k', invalidation.key] as const) : invalidation.kind === 'tag' ? (['t', invalidation.tag] as const) : (['a', ''] as const)
    await everyPart(async () => this.#coordinator?.invalidate(kind, name), inLocation)
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
    `cloudflareStore: syncSeconds must be a finite number of seconds, 0 or more (0 checks on every read), got ${String(syncSeconds)}. See ${docsLink('targets/cloudflare.md')}.`,
  )
}

function checkShards(shards: number): number {
  if (Number.isInteger(shards) && shards >= 1) return shards
  throw new TypeError(`cloudflareStore: shards must be a whole number of at least 1, got ${String(shards)}`)
}

export function cloudflareStore(options?: CloudflareStoreOptions): CloudflareStore {
  return new CloudflareStore(options)
}
