/**
 * Entries in the Workers Cache API, behind a bounded tier in isolate memory.
 *
 *   <origin>/<prefix>e/<key>     an entry: the serialized envelope, `Cache-Control: max-age` =
 *                                ttl + staleSeconds (the edge drops what may no longer be served)
 *                                and `x-revalidate-written-at`
 *   <origin>/<prefix>m/all       when invalidateAll last ran in this location
 *   <origin>/<prefix>m/t:<tag>   when invalidateTag(tag) last ran in this location
 *
 * The Cache API keeps no freshness of its own that we can use (production Workers ignore
 * stale-while-revalidate), so every entry carries its metadata and the coordinator judges it.
 * The Cache API cannot list keys either: a tag or "all" invalidation is a marker with a time, and
 * an entry written before a marker it is subject to is a miss. Markers are only ever overwritten
 * with "now", so two isolates invalidating at once cannot lose each other's write.
 *
 * Scope: the Cache API is per data centre. An isolate trusts its memory tier and its view of the
 * markers for `syncSeconds`, then checks the Cache API again, so an invalidation reaches every
 * isolate of the location within that time and the isolate that made it at once. Other data
 * centres keep their entries until they expire.
 */
import { MemoryStore } from './memory-store.js'
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
   * @default 'https://revalidate.internal'
   */
  origin?: string
  /** Namespace inside the cache, for several caches in one Worker. @default '' */
  prefix?: string
  /**
   * Entries kept in isolate memory, so a hot key costs no Cache API call. `false` for none.
   * @default 500
   */
  memoryEntries?: number | false
  /**
   * How long an isolate serves from its memory tier, and trusts the invalidation markers it read,
   * before checking the Cache API again: the longest another isolate of the same location may
   * serve an entry invalidated elsewhere. 0 checks on every read.
   * @default 1
   */
  syncSeconds?: number
  /** @default 8 MiB */
  maxEntryBytes?: number
}

/** Markers outlive any entry they may invalidate. */
const MARKER_MAX_AGE_SECONDS = 365 * 86_400
const WRITTEN_AT = 'x-revalidate-written-at'

interface Marker {
  at: number
  readAt: number
}

export class CloudflareStore implements CacheStore {
  readonly #cacheName: string
  readonly #base: string
  readonly #syncMs: number
  readonly #maxEntryBytes: number
  readonly #memory: MemoryStore | undefined
  /** When this isolate last confirmed an entry of its memory tier against the Cache API. */
  readonly #verifiedAt = new WeakMap<CacheEntry, number>()
  readonly #markers = new Map<string, Marker>()
  #cache: Promise<Cache> | undefined

  constructor(options: CloudflareStoreOptions = {}) {
    this.#cacheName = options.cacheName ?? 'revalidate'
    this.#base = `${(options.origin ?? 'https://revalidate.internal').replace(/\/$/, '')}/${options.prefix ?? ''}`
    this.#syncMs = (options.syncSeconds ?? 1) * 1000
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    this.#memory = options.memoryEntries === false ? undefined : new MemoryStore({ maxEntries: options.memoryEntries ?? 500 })
  }

  /** Opened on first use: `caches` belongs to the request context, not to module evaluation. */
  #open(): Promise<Cache> {
    return (this.#cache ??= caches.open(this.#cacheName))
  }

  #url(kind: 'e' | 'm', name: string): string {
    return `${this.#base}${kind}/${encodeURIComponent(name)}`
  }

  #remember(key: string, entry: CacheEntry, verifiedAt: number): void {
    this.#memory?.set(key, entry)
    this.#verifiedAt.set(entry, verifiedAt)
  }

  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    const local = this.#memory?.get(key)
    if (local !== undefined && Date.now() - (this.#verifiedAt.get(local) ?? 0) < this.#syncMs) return local
    return this.#readThrough(key)
  }

  async #readThrough(key: string): Promise<CacheEntry | undefined> {
    const cache = await this.#open()
    const response = await cache.match(this.#url('e', key))
    const writtenAt = Number(response?.headers.get(WRITTEN_AT))
    const entry = response && Number.isFinite(writtenAt) ? deserializeEntry(await response.text(), this.#maxEntryBytes) : undefined
    if (entry === undefined || (await this.#invalidatedSince(writtenAt, entry.tags ?? []))) {
      this.#memory?.delete(key)
      return undefined
    }
    this.#remember(key, entry, Date.now())
    return entry
  }

  async #invalidatedSince(writtenAt: number, tags: readonly string[]): Promise<boolean> {
    const markers = await Promise.all(['all', ...tags.map((tag) => `t:${tag}`)].map((name) => this.#markerTime(name)))
    return markers.some((at) => at >= writtenAt)
  }

  async #markerTime(name: string): Promise<number> {
    const known = this.#markers.get(name)
    if (known !== undefined && Date.now() - known.readAt < this.#syncMs) return known.at
    const response = await (await this.#open()).match(this.#url('m', name))
    const at = Number(response ? await response.text() : 0)
    const marker = { at: Number.isFinite(at) ? at : 0, readAt: Date.now() }
    this.#markers.set(name, marker)
    return marker.at
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const writtenAt = Date.now()
    this.#remember(key, entry, writtenAt)
    const response = new Response(serializeEntry(entry, this.#maxEntryBytes), {
      headers: { 'content-type': 'application/json', 'cache-control': `max-age=${storedLifetimeSeconds(entry)}`, [WRITTEN_AT]: String(writtenAt) },
    })
    await (await this.#open()).put(this.#url('e', key), response)
  }

  async delete(key: string): Promise<void> {
    this.#memory?.delete(key)
    await (await this.#open()).delete(this.#url('e', key))
  }

  async deleteTag(tag: string): Promise<void> {
    this.#memory?.deleteTag(tag)
    await this.#writeMarker(`t:${tag}`)
  }

  async clear(): Promise<void> {
    this.#memory?.clear()
    await this.#writeMarker('all')
  }

  async #writeMarker(name: string): Promise<void> {
    const at = Date.now()
    this.#markers.set(name, { at, readAt: at })
    const response = new Response(String(at), { headers: { 'cache-control': `max-age=${MARKER_MAX_AGE_SECONDS}` } })
    await (await this.#open()).put(this.#url('m', name), response)
  }
}

export function cloudflareStore(options?: CloudflareStoreOptions): CloudflareStore {
  return new CloudflareStore(options)
}
