/**
 * The in-memory tier in front of a remote store, bounded by entries and by bytes: a Worker
 * isolate has 128 MB for everything, and a Node server shares its heap with the app, so 500
 * entries of a few MiB each must not all stay.
 *
 *   set('a', entry, 3_000_000)   bytes as the serialized entry measured them (UTF-8)
 *   past maxEntries or maxBytes  -> the least recently used entries go first
 *   one entry over maxBytes      -> not kept at all (the remote store still has it)
 *
 * Recency, tags, freezing and the byte count are the memory store's; this class only hands it the
 * size the remote store measured while serializing, so nothing is measured twice.
 */
import { MemoryStore } from './memory-store.js'
import type { CacheEntry, Invalidation, ListedEntry } from '../types.js'

export interface MemoryTierOptions {
  maxEntries: number
  maxBytes: number
}

export class MemoryTier {
  readonly #store: MemoryStore
  /** The size of the entry being written, for the store's sizeOf. */
  #writing = 0

  constructor(options: MemoryTierOptions) {
    this.#store = new MemoryStore({ maxEntries: options.maxEntries, maxBytes: options.maxBytes, sizeOf: () => this.#writing })
  }

  /** What the tier holds now; for diagnostics and tests. */
  get usage(): { entries: number; bytes: number } {
    return { entries: this.#store.size, bytes: this.#store.bytes }
  }

  get(key: string): CacheEntry | undefined {
    return this.#store.get(key)
  }

  set(key: string, entry: CacheEntry, bytes: number): void {
    this.#writing = bytes
    this.#store.set(key, entry)
  }

  delete(key: string): void {
    this.#store.delete(key)
  }

  /** Drops what `invalidation` reaches. */
  forget(invalidation: Invalidation): void {
    if (invalidation.kind === 'key') this.#store.delete(invalidation.key)
    else if (invalidation.kind === 'tag') this.#store.deleteTag(invalidation.tag)
    else this.#store.clear()
  }

  /** Its entries with their sizes, least recently used first (as MemoryStore.entries lists them). */
  async *entries(): AsyncIterable<ListedEntry> {
    yield* this.#store.entries()
  }

  clear(): void {
    this.#store.clear()
  }
}
