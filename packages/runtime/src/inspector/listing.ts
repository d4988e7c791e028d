/**
 * What the inspector shows of the process's caches: each one's stats and entries, filtered and
 * bounded, as JSON for its page.
 *
 *   GET <path>/api/state?q=post&tag=posts&limit=200
 *   -> { caches: [{ name: 'default', store: 'redis', stats, entries: [{ key: 'post:hello', state: 'fresh',
 *        ageMs, ttlMs, staleMs, tags, version, bytes, lookups, lastFetch, page }], scanned, truncated }] }
 *
 * Entries come from the store's `entries()` (a store without it is listed with its stats only);
 * at most MAX_SCANNED are read per cache and request, and at most `limit` shown, so a store of a
 * million keys costs one bounded scan. Values are never sent: only what describes them.
 */
import { registeredCaches, type InspectableCache } from '../cache-registry.js'
import type { CacheStats, FetchRecord } from '../cache-stats.js'
import { serializeEntry, utf8Bytes } from '../serialize.js'
import type { CacheEntry } from '../types.js'

/** A compiled page, as the dev server knows it: entries of its version link to its file. */
export interface InspectedPage {
  route: string
  /** The page's file, relative to the project root. */
  file: string
  /** Its pragma line as written, and the line it is on (1-based). */
  pragma: string
  line: number
  ttl: number
  /** The hash of its data code that its entries carry. */
  version: string
}

export interface InspectedEntry {
  key: string
  state: 'fresh' | 'stale' | 'expired'
  ageMs: number
  ttlMs: number
  staleMs: number
  tags: readonly string[]
  version?: string
  /** Serialized size (UTF-8), as the store measured it or as measured here. */
  bytes?: number
  /** Lookups since the cache was made, as its stats' sketch estimates them (when it tracks the key). */
  lookups?: number
  /** Whether `lookups` is an estimate (sampled, or inherited from a key that left the sketch). */
  lookupsEstimated?: boolean
  lastFetch?: FetchRecord
  page?: InspectedPage
}

export interface InspectedCache {
  name: string
  /** The store's kind, or `custom`. */
  store: string
  stats: CacheStats
  /** False when the store cannot list its entries. */
  listable: boolean
  entries: InspectedEntry[]
  /** Entries read from the store for this answer. */
  scanned: number
  /** More entries matched (or were left unread) than were shown. */
  truncated: boolean
  /** Why listing failed (Redis unreachable, say). */
  error?: string
}

export interface ListingQuery {
  /** Part of the key, any case. */
  q?: string
  /** A tag the entries carry. */
  tag?: string
  /** Most entries shown per cache. */
  limit?: number
}

export const DEFAULT_LIMIT = 200
export const MAX_LIMIT = 2000
/** Most entries read from one store for one answer. */
export const MAX_SCANNED = 10_000

/** The query of a state request, read from its URL (bad numbers fall back to the default). */
export function listingQuery(url: URL): ListingQuery {
  const limit = Number(url.searchParams.get('limit') ?? DEFAULT_LIMIT)
  return {
    q: url.searchParams.get('q') || undefined,
    tag: url.searchParams.get('tag') || undefined,
    limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_LIMIT) : DEFAULT_LIMIT,
  }
}

export async function inspectCaches(query: ListingQuery, pages: readonly InspectedPage[]): Promise<InspectedCache[]> {
  const byVersion = new Map(pages.map((page) => [page.version, page]))
  return Promise.all(registeredCaches().map((cache) => inspectCache(cache, query, byVersion)))
}

async function inspectCache(cache: InspectableCache, query: ListingQuery, pages: ReadonlyMap<string, InspectedPage>): Promise<InspectedCache> {
  const { store } = cache
  const inspected: InspectedCache = {
    name: cache.name,
    store: store.kind ?? 'custom',
    stats: cache.cache.stats(),
    listable: typeof store.entries === 'function',
    entries: [],
    scanned: 0,
    truncated: false,
  }
  if (!inspected.listable) return inspected
  const needle = query.q?.toLowerCase()
  const limit = query.limit ?? DEFAULT_LIMIT
  try {
    for await (const { key, entry, bytes } of store.entries!({ batchSize: 100 })) {
      if (inspected.scanned++ >= MAX_SCANNED) {
        inspected.truncated = true
        break
      }
      if (needle !== undefined && !key.toLowerCase().includes(needle)) continue
      if (query.tag !== undefined && !(entry.tags ?? []).includes(query.tag)) continue
      if (inspected.entries.length >= limit) {
        inspected.truncated = true
        continue // keep counting what is scanned; the scan is bounded anyway
      }
      inspected.entries.push(describeEntry(cache, key, entry, bytes, pages))
    }
  } catch (error) {
    inspected.error = error instanceof Error ? error.message : String(error)
  }
  return inspected
}

function describeEntry(cache: InspectableCache, key: string, entry: CacheEntry, bytes: number | undefined, pages: ReadonlyMap<string, InspectedPage>): InspectedEntry {
  const ageMs = cache.now() - entry.storedAt
  const state = ageMs < entry.ttlMs ? 'fresh' : ageMs < entry.ttlMs + entry.staleMs ? 'stale' : 'expired'
  const described: InspectedEntry = { key, state, ageMs, ttlMs: entry.ttlMs, staleMs: entry.staleMs, tags: entry.tags ?? [] }
  if (entry.version !== undefined) described.version = entry.version
  const size = bytes ?? measure(entry)
  if (size !== undefined) described.bytes = size
  const info = cache.keyInfo(key)
  if (info.lookups !== undefined) {
    described.lookups = info.lookups.weight
    described.lookupsEstimated = info.lookups.error > 0 || info.lookups.weight !== info.lookups.count
  }
  if (info.lastFetch !== undefined) described.lastFetch = info.lastFetch
  const page = entry.version === undefined ? undefined : pages.get(entry.version)
  if (page !== undefined) described.page = page
  return described
}

/** The size an entry would have in a shared store; undefined for a value no store can keep. */
function measure(entry: CacheEntry): number | undefined {
  try {
    return utf8Bytes(serializeEntry(entry, Number.POSITIVE_INFINITY))
  } catch {
    return undefined
  }
}
