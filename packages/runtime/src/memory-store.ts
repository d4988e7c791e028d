import type { CacheEntry, CacheStore, ListedEntry, MemoryUsage } from './types.js'
import { checkCacheable, isProduction } from './value-model.js'

/** Default bound of the in-memory store: enough for a site's pages, small enough for any isolate. */
export const DEFAULT_MAX_ENTRIES = 1000

export interface MemoryStoreOptions {
  /**
   * Most entries kept; past it the least recently used entry is evicted. Each entry holds a
   * reference to its value, so this bounds memory by count, not bytes.
   * @default 1000
   */
  maxEntries?: number
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
 * function is a TypeError naming where it is, here as on Redis.
 */
export class MemoryStore implements CacheStore {
  readonly kind = 'memory'
  readonly maxEntries: number
  readonly #freezeValues: boolean
  readonly #entries = new Map<string, CacheEntry>()
  readonly #keysByTag = new Map<string, Set<string>>()
  /** The key at the end of the recency order; reading it again needs no reordering. */
  #newestKey: string | undefined

  constructor(options: MemoryStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError(`maxEntries must be a whole number of at least 1, got ${String(maxEntries)}`)
    }
    this.maxEntries = maxEntries
    this.#freezeValues = options.freezeValues ?? !isProduction()
  }

  get size(): number {
    return this.#entries.size
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
    this.#entries.set(key, entry)
    this.#newestKey = key
    for (const tag of entry.tags ?? []) {
      let keys = this.#keysByTag.get(tag)
      if (keys === undefined) this.#keysByTag.set(tag, (keys = new Set()))
      keys.add(key)
    }
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string
      this.delete(oldest)
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    this.#entries.delete(key)
    if (key === this.#newestKey) this.#newestKey = undefined
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
    this.#newestKey = undefined
  }

  /** Keys from least to most recently used; for tests and diagnostics. */
  keys(): IterableIterator<string> {
    return this.#entries.keys()
  }

  /** What it holds now; bytes are not measured (nothing here is serialized). */
  get memoryUsage(): MemoryUsage {
    return { entries: this.#entries.size }
  }

  /**
   * Its entries, least recently used first as of the call, without touching their recency. An
   * entry deleted before its turn is left out; one written after the call is not listed.
   */
  async *entries(): AsyncIterable<ListedEntry> {
    for (const key of [...this.#entries.keys()]) {
      const entry = this.#entries.get(key)
      if (entry !== undefined) yield { key, entry }
    }
  }
}

export function memoryStore(options?: MemoryStoreOptions): MemoryStore {
  return new MemoryStore(options)
}
