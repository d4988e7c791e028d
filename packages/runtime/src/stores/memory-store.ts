import type { CacheEntry, CacheStore, ListedEntry, MemoryUsage } from '../types.js'
import { checkCacheable, isProduction } from '../value-model.js'

/** Default bound of the in-memory store: enough for a site's pages, small enough for any isolate. */
export const DEFAULT_MAX_ENTRIES = 1000

export interface MemoryStoreOptions {
  /**
   * Most entries kept; past it the least recently used entry is evicted. Each entry holds a
   * reference to its value, so this bounds memory by count; `maxBytes` bounds it by size.
   * @default 1000
   */
  maxEntries?: number
  /**
   * Most bytes kept, as `sizeOf` counts them; past it the least recently used entries go, and an
   * entry larger than this on its own is not kept at all (the next read fetches it again). Give it
   * when values vary in size (rendered pages, responses): a count alone lets a few large values
   * take all the memory there is. Needs `sizeOf`.
   * @default none (bounded by `maxEntries` only)
   */
  maxBytes?: number
  /**
   * What an entry costs against `maxBytes`, as lru-cache's `sizeCalculation`: called once when the
   * entry is written, never on a hit.
   * @example sizeOf: (entry) => (entry.value as Uint8Array).byteLength
   */
  sizeOf?: (entry: CacheEntry, key: string) => number
  /**
   * Deep-freezes every value it keeps, so a caller that mutates a cached value (shared by every
   * caller of its key) gets a TypeError where it writes instead of changing what later requests
   * see. Costs a walk of the value on each write, never on a hit.
   * @default true outside production (`process.env.NODE_ENV !== 'production'`)
   */
  freezeValues?: boolean
}

/**
 * A least-recently-used store on one `Map`, whose insertion order is the recency order: a read
 * moves the key to the end, an insert past the bound evicts the first key. Synchronous, so a hit
 * costs no promise of its own. A tag index lets `deleteTag` remove exactly the tagged keys.
 * It keeps only what a shared store could keep too (value-model.ts): a class instance or a
 * function is a TypeError naming where it is, here as on Redis. With `maxBytes` it also counts
 * what each entry costs (`sizeOf`) and evicts by that too.
 */
export class MemoryStore implements CacheStore {
  readonly kind = 'memory'
  readonly maxEntries: number
  readonly maxBytes: number
  readonly #sizeOf: ((entry: CacheEntry, key: string) => number) | undefined
  readonly #freezeValues: boolean
  readonly #entries = new Map<string, CacheEntry>()
  /** What each entry costs, by key; only with `maxBytes`. */
  readonly #sizes = new Map<string, number>()
  #bytes = 0
  readonly #keysByTag = new Map<string, Set<string>>()
  /** The key at the end of the recency order; reading it again needs no reordering. */
  #newestKey: string | undefined

  constructor(options: MemoryStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError(`maxEntries must be a whole number of at least 1, got ${String(maxEntries)}`)
    }
    this.maxEntries = maxEntries
    const { maxBytes, sizeOf } = options
    if (maxBytes !== undefined && !(typeof maxBytes === 'number' && maxBytes > 0 && maxBytes <= Number.MAX_SAFE_INTEGER)) {
      throw new TypeError(`maxBytes must be a number of bytes greater than 0, got ${String(maxBytes)}`)
    }
    if (maxBytes !== undefined && typeof sizeOf !== 'function') {
      throw new TypeError('maxBytes needs sizeOf, the function that says what an entry costs (e.g. sizeOf: (entry) => entry.value.byteLength)')
    }
    this.maxBytes = maxBytes ?? Infinity
    this.#sizeOf = maxBytes === undefined ? undefined : sizeOf
    this.#freezeValues = options.freezeValues ?? !isProduction()
  }

  get size(): number {
    return this.#entries.size
  }

  /** What the entries kept now cost, as `sizeOf` counted them (0 without `maxBytes`). */
  get bytes(): number {
    return this.#bytes
  }

  get(key: string): CacheEntry | undefined {
    const entry = this.#entries.get(key)
    if (entry !== undefined && key !== this.#newestKey) {
      this.#entries.delete(key)
      this.#entries.set(key, entry)
      this.#newestKey = key
    }
    return entry
  }

  set(key: string, entry: CacheEntry): void {
    checkCacheable(key, entry.value, this.#freezeValues)
    this.delete(key)
    const size = this.#sizeOf === undefined ? 0 : this.#sizeOf(entry, key)
    if (size > this.maxBytes) return
    this.#entries.set(key, entry)
    if (this.#sizeOf !== undefined) {
      this.#sizes.set(key, size)
      this.#bytes += size
    }
    this.#newestKey = key
    for (const tag of entry.tags ?? []) {
      let keys = this.#keysByTag.get(tag)
      if (keys === undefined) this.#keysByTag.set(tag, (keys = new Set()))
      keys.add(key)
    }
    // The entry just written is the newest, and alone it fits: eviction stops before reaching it.
    while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) {
      this.delete(this.#entries.keys().next().value as string)
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    this.#entries.delete(key)
    if (key === this.#newestKey) this.#newestKey = undefined
    const size = this.#sizes.get(key)
    if (size !== undefined) {
      this.#bytes -= size
      this.#sizes.delete(key)
    }
    for (const tag of entry.tags ?? []) {
      const keys = this.#keysByTag.get(tag)
      keys?.delete(key)
      if (keys?.size === 0) this.#keysByTag.delete(tag)
    }
  }

  holds(keyOrTag: string): boolean {
    return this.#entries.has(keyOrTag) || this.#keysByTag.has(keyOrTag)
  }

  deleteTag(tag: string): void {
    for (const key of [...(this.#keysByTag.get(tag) ?? [])]) this.delete(key)
  }

  clear(): void {
    this.#entries.clear()
    this.#keysByTag.clear()
    this.#sizes.clear()
    this.#bytes = 0
    this.#newestKey = undefined
  }

  /** Keys from least to most recently used; for tests and diagnostics. */
  keys(): IterableIterator<string> {
    return this.#entries.keys()
  }

  /** What it holds now; bytes where `sizeOf` measures them (with `maxBytes`). */
  get memoryUsage(): MemoryUsage {
    return this.#sizeOf === undefined ? { entries: this.#entries.size } : { entries: this.#entries.size, bytes: this.#bytes }
  }

  /**
   * Its entries, least recently used first as of the call, without touching their recency. An
   * entry deleted before its turn is left out; one written after the call is not listed.
   */
  async *entries(): AsyncIterable<ListedEntry> {
    for (const key of [...this.#entries.keys()]) {
      const entry = this.#entries.get(key)
      if (entry !== undefined) yield { key, entry, bytes: this.#sizes.get(key) }
    }
  }
}

export function memoryStore(options?: MemoryStoreOptions): MemoryStore {
  return new MemoryStore(options)
}
