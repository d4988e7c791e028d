/**
 * The store Next's entries go through: one of ours (memory or Redis), told what Next's entries
 * mean. The coordinator over it keeps every entry it is given for as long as a store does; this
 * store gives each entry the lifetime Next set and reads a dead one as a miss, so an expired entry
 * goes through the coordinator's single flight (one render across instances) like a missing one.
 *
 *   set(k, { value: { timestamp, expire: 300, … } })  ->  kept until timestamp + 300 s, untagged
 *   get(k) past its expire, or after a tag of it      ->  undefined (a miss)
 *   expired, or an entry of another format
 *
 * Next's entries carry no tags in the store: tags reach them through tag times (tag-times.ts), so
 * `revalidateTag(tag, 'max')` can leave them to be served stale while our own `invalidateTag`
 * deletes the entries of `withRevalidate` that share the store.
 */
import { isPromise } from '../hooks.js'
import type { CacheEntry, CacheStore, Invalidation, MaybePromise } from '../types.js'
import { expiresAt, isNextEntry } from './entry.js'
import type { TagTimes } from './tag-times.js'

export class NextEntryStore implements CacheStore {
  readonly #inner: CacheStore
  readonly #tagTimes: TagTimes
  // The coordinator asks for a store's optional parts by whether they are there.
  readonly writeFence?: () => MaybePromise<unknown>
  readonly acquireLock?: (key: string, version?: string) => Promise<string | undefined>
  readonly releaseLock?: (key: string, token: string) => Promise<void>
  readonly lockSeconds?: number
  readonly subscribe?: (listener: (invalidation: Invalidation) => void) => () => void

  constructor(inner: CacheStore, tagTimes: TagTimes) {
    this.#inner = inner
    this.#tagTimes = tagTimes
    if (inner.writeFence) this.writeFence = () => inner.writeFence!()
    if (inner.acquireLock) this.acquireLock = (key, version) => inner.acquireLock!(key, version)
    if (inner.releaseLock) this.releaseLock = (key, token) => inner.releaseLock!(key, token)
    if (inner.lockSeconds !== undefined) this.lockSeconds = inner.lockSeconds
    if (inner.subscribe) this.subscribe = (listener) => inner.subscribe!(listener)
  }

  get(key: string): MaybePromise<CacheEntry | undefined> {
    const read = this.#inner.get(key)
    return isPromise(read) ? read.then((entry) => this.#alive(entry)) : this.#alive(read)
  }

  #alive(entry: CacheEntry | undefined): CacheEntry | undefined {
    if (entry === undefined || !isNextEntry(entry.value)) return undefined
    const now = Date.now()
    if (now >= expiresAt(entry.value) || this.#tagTimes.expired(entry.value.tags, entry.value.timestamp, now)) return undefined
    return entry
  }

  /** Keeps the entry until Next's `expire`; one already dead (expire 0, or a tag revalidated since it began) is not kept at all. */
  set(key: string, entry: CacheEntry, fence?: unknown): MaybePromise<void> {
    const next = entry.value
    if (!isNextEntry(next)) throw new TypeError(`The entry for "${key}" is not one of Next.js's (the Next.js cache keeps only what its handlers make)`)
    const ttlMs = expiresAt(next) - entry.storedAt
    if (ttlMs <= 0 || this.#tagTimes.expired(next.tags, next.timestamp, Date.now())) return
    const kept: CacheEntry = { value: next, storedAt: entry.storedAt, ttlMs, staleMs: 0 }
    if (entry.version !== undefined) kept.version = entry.version
    return this.#inner.set(key, kept, fence)
  }

  delete(key: string): MaybePromise<void> {
    return this.#inner.delete(key)
  }

  deleteTag(tag: string): MaybePromise<void> {
    return this.#inner.deleteTag(tag)
  }

  clear(): MaybePromise<void> {
    return this.#inner.clear()
  }
}
