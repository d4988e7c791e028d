/**
 * The isolate-memory tier in front of a remote store, bounded by entries and by bytes: a Worker
 * isolate has 128 MB for everything, so 500 entries of a few MiB each must not all stay.
 *
 *   set('a', entry, 3_000_000)   bytes as the serialized entry measured them (UTF-8)
 *   past maxEntries or maxBytes  -> the least recently used entries go first
 *   one entry over maxBytes      -> not kept at all (the remote store still has it)
 *
 * Recency, tags and freezing are the memory store's; this class only adds the byte count.
 */
import { MemoryStore } from './memory-store.js'
import type { CacheEntry, ListedEntry } from './types.js'

export interface MemoryTierOptions {
  maxEntries: number
  maxBytes: number
}

export class MemoryTier {
  readonly #store: MemoryStore
  readonly #maxBytes: number
  readonly #bytesByKey = new Map<string, number>()
  #bytes = 0

  constructor(options: MemoryTierOptions) {
    this.#store = new MemoryStore({ maxEntries: options.maxEntries })
    this.#maxBytes = options.maxBytes
  }

  /** What the tier holds now; for diagnostics and tests. */
  get usage(): { entries: number; bytes: number } {
    return { entries: this.#store.size, bytes: this.#bytes }
  }

  get(key: string): CacheEntry | undefined {
    return this.#store.get(key)
  }

  set(key: string, entry: CacheEntry, bytes: number): void {
    this.delete(key)
    if (bytes > this.#maxBytes) return
    while (this.#store.size > 0 && (this.#store.size >= this.#store.maxEntries || this.#bytes + bytes > this.#maxBytes)) {
      this.delete(this.#store.keys().next().value as string)
    }
    this.#store.set(key, entry)
    this.#bytesByKey.set(key, bytes)
    this.#bytes += bytes
  }

  delete(key: string): void {
    this.#store.delete(key)
    this.#bytes -= this.#bytesByKey.get(key) ?? 0
    this.#bytesByKey.delete(key)
  }

  deleteTag(tag: string): void {
    this.#store.deleteTag(tag)
    // The memory store knows which keys carried the tag; count out the ones it dropped.
    const kept = new Set(this.#store.keys())
    for (const [key, bytes] of this.#bytesByKey) {
      if (kept.has(key)) continue
      this.#bytes -= bytes
      this.#bytesByKey.delete(key)
    }
  }

  /** Its entries with their sizes, least recently used first (as MemoryStore.entries lists them). */
  async *entries(): AsyncIterable<ListedEntry> {
    for await (const listed of this.#store.entries()) yield { ...listed, bytes: this.#bytesByKey.get(listed.key) }
  }

  clear(): void {
    this.#store.clear()
    this.#bytesByKey.clear()
    this.#bytes = 0
  }
}
