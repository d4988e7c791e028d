/**
 * Entries in the Workers Cache API, behind a tier in isolate memory bounded by entries and bytes.
 *
 *   <origin>/<prefix>e/<key>     an entry: the serialized envelope, `Cache-Control: max-age` =
 *                                ttl + staleSeconds (the edge drops what may no longer be served)
 *                                and `x-revalidate-written-at` (when the fetch that made it started)
 *   <origin>/<prefix>m/...       invalidation markers for tags and "all" (cloudflare-markers.ts)
 *
 * The Cache API keeps no freshness of its own that we can use (production Workers ignore
 * stale-while-revalidate), so every entry carries its metadata and the coordinator judges it.
 *
 * Scope: the Cache API is per data centre, and a cache (it may evict a marker with entries). An
 * isolate trusts its memory tier and the markers it read for `syncSeconds`, then checks the Cache
 * API again, so an invalidation reaches every isolate of the location within that time and the
 * isolate that made it at once. Other data centres keep their entries until they expire.
 *
 * Invalidation inside this isolate is exact, whatever is on its way: a Cache API read that began
 * before an invalidation does not fill the memory tier, and a write still on its way when one
 * reaches it is deleted again once it lands.
 */
import { LocationMarkers } from './cloudflare-markers.js'
import { MemoryTier } from './memory-tier.js'
import { DEFAULT_MAX_ENTRY_BYTES, deserializeEntry, serializeEntry, storedLifetimeSeconds } from './serialize.js'
import type { CacheEntry, CacheStore } from './types.js'

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
  /** Namespace inside the cache, for several caches in one Worker. @default '' */
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
   * How long an isolate serves from its memory tier, and trusts the invalidation markers it read,
   * before checking the Cache API again: the longest another isolate of the same location may
   * serve an entry invalidated elsewhere. 0 checks on every read.
   * @default 1
   */
  syncSeconds?: number
  /**
   * Largest entry written to (or read from) the Cache API, in UTF-8 bytes of its serialized form.
   * @default 8 MiB
   */
  maxEntryBytes?: number
}

export const DEFAULT_MEMORY_ENTRIES = 500
export const DEFAULT_MAX_MEMORY_BYTES = 8 * 1024 * 1024
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
  readonly #cacheName: string
  readonly #base: string
  readonly #syncMs: number
  readonly #maxEntryBytes: number
  readonly #memory: MemoryTier | undefined
  readonly #markers: LocationMarkers
  /** When this isolate last confirmed an entry of its memory tier against the Cache API. */
  readonly #verifiedAt = new WeakMap<CacheEntry, number>()
  /** Counts invalidations seen here: a read that overlapped one must not fill the memory tier. */
  #invalidations = 0
  readonly #writes = new Map<string, Set<PendingWrite>>()
  #cache: Promise<Cache> | undefined

  constructor(options: CloudflareStoreOptions = {}) {
    this.#cacheName = options.cacheName ?? 'revalidate'
    this.#base = `${(options.origin ?? 'https://revalidate.internal').replace(/\/$/, '')}/${options.prefix ?? ''}`
    this.#syncMs = (options.syncSeconds ?? 1) * 1000
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    const maxEntries = options.maxEntries ?? options.memoryEntries ?? DEFAULT_MEMORY_ENTRIES
    this.#memory = maxEntries === false ? undefined : new MemoryTier({ maxEntries, maxBytes: options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES })
    this.#markers = new LocationMarkers({ open: () => this.#open(), base: this.#base, syncMs: this.#syncMs })
  }

  /** What the memory tier holds now; for diagnostics and tests. */
  get memoryUsage(): { entries: number; bytes: number } {
    return this.#memory?.usage ?? { entries: 0, bytes: 0 }
  }

  /** Opened on first use: `caches` belongs to the request context, not to module evaluation. */
  #open(): Promise<Cache> {
    return (this.#cache ??= caches.open(this.#cacheName))
  }

  #url(key: string): string {
    return `${this.#base}e/${encodeURIComponent(key)}`
  }

  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    const local = this.#memory?.get(key)
    if (local !== undefined && Date.now() - (this.#verifiedAt.get(local) ?? 0) < this.#syncMs) return local
    return this.#readThrough(key, local)
  }

  /** Reads `key` from the Cache API; `unverified` is what the memory tier held, to drop if it is gone. */
  async #readThrough(key: string, unverified: CacheEntry | undefined): Promise<CacheEntry | undefined> {
    const invalidationsBefore = this.#invalidations
    const stored = await this.#readEntry(key)
    if (stored === undefined || (await this.#markers.invalidatedSince(stored.writtenAt, stored.entry.tags ?? []))) {
      if (unverified !== undefined && this.#memory?.get(key) === unverified) this.#memory.delete(key)
      return undefined
    }
    // An invalidation arrived while this read was on its way: its caller began before it and may
    // have the value, but the memory tier must not keep it.
    if (invalidationsBefore === this.#invalidations) this.#remember(key, stored.entry, stored.bytes)
    return stored.entry
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
    const text = serializeEntry(entry, this.#maxEntryBytes)
    const body = encoder.encode(text)
    if (body.byteLength > this.#maxEntryBytes) {
      throw new TypeError(`An entry of ${body.byteLength} bytes is larger than the ${this.#maxEntryBytes} (maxEntryBytes) the Cloudflare store keeps`)
    }
    const writtenAt = Date.now()
    const write: PendingWrite = { tags: entry.tags ?? [], overtaken: false }
    const writes = this.#writes.get(key) ?? new Set()
    this.#writes.set(key, writes.add(write))
    this.#remember(key, entry, body.byteLength)
    const headers = { 'content-type': 'application/json', 'cache-control': `max-age=${storedLifetimeSeconds(entry)}`, [WRITTEN_AT]: String(writtenAt) }
    const cache = await this.#open()
    try {
      await cache.put(this.#url(key), new Response(body, { headers }))
    } finally {
      writes.delete(write)
      if (writes.size === 0 && this.#writes.get(key) === writes) this.#writes.delete(key)
    }
    // An invalidation reached this write while it was on its way: it may have landed after the
    // invalidation's delete, so it goes again.
    if (write.overtaken) await cache.delete(this.#url(key))
  }

  /** Marks the writes an invalidation reaches, and stops reads on their way from filling memory. */
  #overtake(reaches: (key: string, write: PendingWrite) => boolean): void {
    this.#invalidations++
    for (const [key, writes] of this.#writes) {
      for (const write of writes) if (reaches(key, write)) write.overtaken = true
    }
  }

  async delete(key: string): Promise<void> {
    this.#overtake((written) => written === key)
    this.#memory?.delete(key)
    await (await this.#open()).delete(this.#url(key))
  }

  async deleteTag(tag: string): Promise<void> {
    this.#overtake((_key, write) => write.tags.includes(tag))
    this.#memory?.deleteTag(tag)
    await this.#markers.markTag(tag)
  }

  async clear(): Promise<void> {
    this.#overtake(() => true)
    this.#memory?.clear()
    await this.#markers.markAll()
  }
}

export function cloudflareStore(options?: CloudflareStoreOptions): CloudflareStore {
  return new CloudflareStore(options)
}
