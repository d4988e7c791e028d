/**
 * Next.js's tag model over our stores: tags are not deleted, they carry times, and an entry is
 * judged by when it was made (tag-revalidations.ts). This process keeps every time it knows; a
 * shared store (Redis) records them for every instance and tells this one of theirs.
 *
 *   updateTag('posts')                 posts expired now          -> entries made before: misses
 *   revalidateTag('posts', 'max')      posts stale now            -> made before: served stale once
 *   invalidateAll() (ours)             every entry expired now
 */
import { mergeTagRevalidations } from '../tag-revalidations.js'
import type { CacheStore, TagRevalidation } from '../types.js'

/** The mark of `invalidateAll()`: it applies to every entry, whatever its tags (no tag of Next's can hold a NUL). */
export const EVERY_ENTRY = '\u0000all'

export class TagTimes {
  readonly #times = new Map<string, TagRevalidation>()
  readonly #store: CacheStore

  constructor(store: CacheStore) {
    this.#store = store
    store.watchTagRevalidations?.((record) => mergeTagRevalidations(this.#times, record))
  }

  /**
   * Next's `updateTags(tags, durations)`: without durations the tags expire now; with them they are
   * stale now, and expire `durations.expire` seconds from now (never, without it). Applies here at
   * once; a shared store's failure rejects (the caller reports it) after that.
   */
  revalidate(tags: readonly string[], durations?: { expire?: number }, now = Date.now()): Promise<void> {
    const record: Record<string, TagRevalidation> = {}
    for (const tag of tags) {
      if (durations === undefined) record[tag] = { expired: now }
      else record[tag] = durations.expire === undefined ? { stale: now } : { stale: now, expired: now + Math.max(0, durations.expire) * 1000 }
    }
    mergeTagRevalidations(this.#times, record)
    return this.#store.recordTagRevalidations?.(record) ?? Promise.resolve()
  }

  /** Whether an entry made at `timestamp` is gone: one of its tags, or every entry, expired after it was made and before now. */
  expired(tags: readonly string[], timestamp: number, now: number): boolean {
    if (this.#times.size === 0) return false
    if (expiredAfter(this.#times.get(EVERY_ENTRY), timestamp, now)) return true
    for (const tag of tags) if (expiredAfter(this.#times.get(tag), timestamp, now)) return true
    return false
  }

  /** Whether an entry made at `timestamp` is stale: one of its tags was revalidated after it was made. */
  stale(tags: readonly string[], timestamp: number): boolean {
    if (this.#times.size === 0) return false
    for (const tag of tags) if ((this.#times.get(tag)?.stale ?? 0) > timestamp) return true
    return false
  }

  /** Next's `getExpiration(tags)`: the latest time one of them (or every entry) expired, 0 for never; an expiry still to come does not count yet. */
  expiration(tags: readonly string[], now: number): number {
    let latest = 0
    for (const tag of [EVERY_ENTRY, ...tags]) {
      const expired = this.#times.get(tag)?.expired
      if (expired !== undefined && expired <= now && expired > latest) latest = expired
    }
    return latest
  }
}

function expiredAfter(times: TagRevalidation | undefined, timestamp: number, now: number): boolean {
  const expired = times?.expired
  return expired !== undefined && expired > timestamp && expired <= now
}
