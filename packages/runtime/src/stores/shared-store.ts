/**
 * A store shared by several instances: a bounded memory tier in front of a remote side (Redis,
 * the browser's Cache Storage, the Workers Cache API) that a subclass drives. Every rule about the
 * two tiers lives here once; a subclass only moves entries to and from its remote side and says
 * what other instances did, as unstorage's overlay driver sits over its drivers.
 *
 *   get      memory, when the driver trusts what it holds; otherwise the remote read, which fills
 *            memory unless an invalidation came while it was on its way (a counter says so)
 *   set      memory and the remote side. A value too large to share stays in memory only (the
 *            error is thrown, to be reported); a write that an invalidation overtakes on its way
 *            leaves memory, and is undone once it lands (or refused by the remote side itself)
 *   delete, deleteTag, clear
 *            memory and writes on their way first, then the remote side; memory once more when it
 *            is done, since a read made meanwhile may have brought back what it removed
 *   heard    an invalidation another instance made: memory, writes on their way, then every
 *            listener (`subscribe`), each on its own, so one that throws stops no other
 *
 * Keys and tags must be well-formed Unicode (validate.ts): a remote side would turn a lone
 * surrogate into U+FFFD, and so into another key. Such a name is a TypeError before anything is kept.
 */
import { callSafely } from '../hooks.js'
import { covers } from '../invalidation.js'
import { MemoryTier } from './memory-tier.js'
import { DEFAULT_MAX_ENTRY_BYTES, serializeEntry, utf8Bytes } from '../serialize.js'
import type { CacheEntry, CacheStore, Invalidation, ListedEntry, ListEntriesOptions } from '../types.js'
import { illFormedName, refuseIllFormed } from '../validate.js'
import { isUncacheableValue } from '../value-model.js'

/** What every shared store takes for its memory tier and its entries (each store documents its defaults). */
export interface SharedStoreOptions {
  /** Entries the memory tier keeps; `false` or 0 for no memory tier (every read goes to the remote side). */
  maxEntries?: number | false
  /** @deprecated The same as `maxEntries` (one name for one setting in every store); read when `maxEntries` is not given. */
  memoryEntries?: number | false
  /** Bytes of serialized entries (UTF-8) the memory tier keeps at most. */
  maxMemoryBytes?: number
  /** Largest entry written to the remote side, in UTF-8 bytes of its serialized form. */
  maxEntryBytes?: number
}

/** What a remote read found. */
export interface RemoteEntry {
  entry: CacheEntry
  /** What it costs in memory: the UTF-8 bytes of its serialized form. */
  bytes: number
  /** `false`: memory must not keep it (memory has it already, or the driver cannot vouch for it). */
  keep?: boolean
  /**
   * The tier's `invalidationCount` when the read really began, for a driver that first waits for
   * something of its own (a sync that drops what it learns is invalidated): invalidations seen
   * before then do not keep the read out of memory.
   */
  since?: number
}

/**
 * How a remote write ended: `written`; `refused` by the remote side (an invalidation recorded
 * there came after the fetch began: memory drops it too); `unwritten`: not made at all (the
 * remote side is unreachable or paused), and memory keeps it.
 */
export type WriteOutcome = 'written' | 'refused' | 'unwritten'

/** A write on its way to the remote side; an invalidation that reaches it marks it for undoing. */
interface PendingWrite {
  readonly key: string
  readonly tags: readonly string[]
  /** When its fetch began, on the clock of the invalidations' `at`; undefined: any invalidation overtakes it. */
  readonly began: number | undefined
  overtaken: boolean
}

type Listener = (invalidation: Invalidation) => void
type ErrorListener = (error: unknown, invalidation?: Invalidation) => void

export abstract class SharedStore implements CacheStore {
  /** A short name of the kind of store, for telemetry and the inspector. */
  abstract readonly kind: string
  /** The bound of the memory tier in bytes (0 without a tier). */
  readonly maxMemoryBytes: number
  /** Largest entry the remote side takes, in UTF-8 bytes. */
  protected readonly maxEntryBytes: number
  readonly #name: string
  readonly #memory: MemoryTier | undefined
  readonly #writing = new Set<PendingWrite>()
  readonly #listeners = new Set<Listener>()
  readonly #errorListeners = new Set<ErrorListener>()
  /** Counts invalidations seen here; a read that overlapped one must not fill the memory tier. */
  #invalidations = 0

  /** `name` is how the store is named in its errors: `redisStore` gives "redisStore.set: key must be …". */
  constructor(name: string, options: SharedStoreOptions, defaults: { maxEntries: number; maxMemoryBytes: number }) {
    this.#name = name
    this.maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    const maxEntries = options.maxEntries ?? options.memoryEntries ?? defaults.maxEntries
    this.maxMemoryBytes = maxEntries === false || maxEntries === 0 ? 0 : (options.maxMemoryBytes ?? defaults.maxMemoryBytes)
    this.#memory = this.maxMemoryBytes === 0 ? undefined : new MemoryTier({ maxEntries: maxEntries as number, maxBytes: this.maxMemoryBytes })
  }

  // ---- What a driver (the subclass) does with its remote side ----

  /** Whether memory's `entry` for `key` may be served without asking the remote side; a driver may note the use. */
  protected abstract servesFromMemory(key: string, entry: CacheEntry): boolean
  /** The remote side's entry for `key`; `local` is what memory holds but was not trusted with. */
  protected abstract readRemote(key: string, local: CacheEntry | undefined): Promise<RemoteEntry | undefined>
  /** Writes `text` (the serialized `entry`) under `key`; `fence` is what `writeFence` gave its fetch. */
  protected abstract writeRemote(key: string, entry: CacheEntry, text: string, fence: unknown): Promise<WriteOutcome>
  /** Applies an invalidation to the remote side and tells the other instances. */
  protected abstract invalidateRemote(invalidation: Invalidation): Promise<void>
  /** When the fetch that `fence` marks began, on the clock of the `at` the driver gives `heard`; undefined: unknown. */
  protected fetchBegan(_fence: unknown): number | undefined {
    return undefined
  }
  /** Whether memory may keep an entry written here now, by the fetch `fence` marks (a driver may note that it keeps it). */
  protected keepsWritten(_key: string, _entry: CacheEntry, _fence: unknown): boolean {
    return true
  }
  /** Removes a write that landed after an invalidation overtook it; a driver whose remote side refuses such writes itself has none. */
  protected undoWrite?(key: string): Promise<void>
  /** After a write landed and stands. */
  protected written?(key: string): void

  // ---- What a driver tells the tier ----

  /** An invalidation another instance made, at `at` (the clock of `fetchBegan`; undefined: it overtakes every write on its way). */
  protected heard(invalidation: Invalidation, at?: number): void {
    this.#forget(invalidation)
    this.#overtakeWrites(invalidation, at)
    // A listener that throws or rejects must not keep the invalidation from the others.
    for (const listener of this.#listeners) callSafely(() => listener(invalidation), () => {})
  }

  /** Another instance wrote `key` anew: memory lets its copy go, so the next read takes the new value. */
  protected refilled(key: string): void {
    this.#forget({ kind: 'key', key })
  }

  /** Memory can no longer be trusted (invalidations may have been missed): it is emptied, and reads on their way do not fill it. */
  protected resetMemory(): void {
    this.#forget({ kind: 'all' })
  }

  /** A failure of what the store does on its own, which no call could report (`subscribe`'s onError). */
  protected report(error: unknown, invalidation?: Invalidation): void {
    for (const listener of this.#errorListeners) callSafely(() => listener(error, invalidation), () => {})
  }

  /** What memory holds for `key`, asked by a driver that has just made it trustworthy again (a sync). */
  protected heldInMemory(key: string): CacheEntry | undefined {
    return this.#memory?.get(key)
  }

  /** Drops `key` from memory if it still holds `entry` (a driver found it gone from the remote side). */
  protected dropFromMemory(key: string, entry: CacheEntry): void {
    if (this.#memory?.get(key) === entry) this.#memory.delete(key)
  }

  /** Invalidations seen so far; see `RemoteEntry.since`. */
  protected get invalidationCount(): number {
    return this.#invalidations
  }

  // ---- The store ----

  /** What the memory tier holds now; for diagnostics and tests. */
  get memoryUsage(): { entries: number; bytes: number } {
    return this.#memory?.usage ?? { entries: 0, bytes: 0 }
  }

  /**
   * For the inspector: the memory tier's entries, with their sizes. A driver whose remote side can
   * be listed (Redis, Cache Storage) lists that instead; the Workers Cache API cannot be, and what
   * an isolate holds in memory is what it serves without asking.
   */
  async *entries(_options?: ListEntriesOptions): AsyncIterable<ListedEntry> {
    if (this.#memory !== undefined) yield* this.#memory.entries()
  }

  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    const local = this.#memory?.get(key)
    if (local !== undefined && this.servesFromMemory(key, local)) return local
    const bad = illFormedName(`${this.#name}.get`, 'key', key) // never in memory: set refuses it
    if (bad) throw bad
    return this.#readThrough(key, local)
  }

  async #readThrough(key: string, local: CacheEntry | undefined): Promise<CacheEntry | undefined> {
    const before = this.#invalidations
    const found = await this.readRemote(key, local)
    if (found === undefined) return undefined
    // An invalidation arrived while this read was on its way: its caller began before it and may have the value, memory may not.
    if (found.keep !== false && (found.since ?? before) === this.#invalidations) this.#memory?.set(key, found.entry, found.bytes)
    return found.entry
  }

  async set(key: string, entry: CacheEntry, fence?: unknown): Promise<void> {
    const tags = entry.tags ?? []
    refuseIllFormed(`${this.#name}.set`, 'key', [key])
    refuseIllFormed(`${this.#name}.set`, 'tag', tags)
    let text: string
    try {
      text = serializeEntry(entry, this.maxEntryBytes, key)
    } catch (error) {
      // A value no store keeps is refused before anything is kept. One too large to share stays
      // in this instance's memory (reported), if the tier has room for more than maxEntryBytes,
      // so it is not fetched on every request.
      if (!isUncacheableValue(error)) this.#memory?.set(key, entry, this.maxEntryBytes + 1)
      throw error
    }
    if (this.#memory !== undefined && this.keepsWritten(key, entry, fence)) this.#memory.set(key, entry, utf8Bytes(text))
    const write: PendingWrite = { key, tags, began: this.fetchBegan(fence), overtaken: false }
    this.#writing.add(write)
    let outcome: WriteOutcome
    try {
      outcome = await this.writeRemote(key, entry, text, fence)
    } finally {
      this.#writing.delete(write)
    }
    if (outcome === 'refused') return this.dropFromMemory(key, entry)
    if (outcome === 'unwritten') return
    if (!write.overtaken) return this.written?.(key)
    this.dropFromMemory(key, entry)
    await this.undoWrite?.(key)
  }

  async delete(key: string): Promise<void> {
    refuseIllFormed(`${this.#name}.delete`, 'key', [key])
    await this.#invalidate({ kind: 'key', key })
  }

  async deleteTag(tag: string): Promise<void> {
    refuseIllFormed(`${this.#name}.deleteTag`, 'tag', [tag])
    await this.#invalidate({ kind: 'tag', tag })
  }

  async clear(): Promise<void> {
    await this.#invalidate({ kind: 'all' })
  }

  async #invalidate(invalidation: Invalidation): Promise<void> {
    this.#forget(invalidation)
    // A write of this instance on its way may land after the remote side applied it.
    this.#overtakeWrites(invalidation, undefined)
    try {
      await this.invalidateRemote(invalidation)
    } finally {
      // A read made while it was on its way (between a tag's steps, say) may have brought back
      // what it removed, and one still on its way may yet: drop those, and keep the rest from filling.
      this.#forget(invalidation)
    }
  }

  /**
   * Listens to invalidations made by other instances. `onError` hears of failures of what the
   * store does on its own: an invalidation kept while the remote side is unreachable (named), one
   * refused when it was replayed.
   */
  subscribe(listener: Listener, onError?: ErrorListener): () => void {
    this.#listeners.add(listener)
    if (onError !== undefined) this.#errorListeners.add(onError)
    return () => {
      this.#listeners.delete(listener)
      if (onError !== undefined) this.#errorListeners.delete(onError)
    }
  }

  #forget(invalidation: Invalidation): void {
    this.#invalidations++
    this.#memory?.forget(invalidation)
  }

  /** Marks writes on their way that `invalidation` reaches, and whose fetch began by `at`, to be undone once they land. */
  #overtakeWrites(invalidation: Invalidation, at: number | undefined): void {
    for (const write of this.#writing) {
      if (at !== undefined && write.began !== undefined && write.began > at) continue
      if (covers(invalidation, write.key, write.tags)) write.overtaken = true
    }
  }
}
