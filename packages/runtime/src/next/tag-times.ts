/**
 * Next.js's tag model over our stores: tags are not deleted, they carry times, and an entry is
 * judged by when it was made (tag-revalidations.ts). This process keeps every time it knows; a
 * shared store (Redis) records them for every instance and tells this one of theirs.
 *
 *   updateTag('posts')                 posts expired now          -> entries made before: misses
 *   revalidateTag('posts', 'max')      posts stale now, expires   -> made before: served stale once,
 *                                      in a year                     misses from then on
 *   invalidateAll() (ours)             every entry expired now
 */
import { mergeTagRevalidations } from '../tag-revalidations.js'
import type { CacheStore, TagRevalidation } from '../types.js'

/** The mark of `invalidateAll()`: it applies to every entry, whatever its tags (no tag of Next's can hold a NUL). */
export const EVERY_ENTRY = '\u0000all'
/**
 * Tags whose times this process keeps; past it the ones it learned first go (a shared store keeps
 * its newest 10,000). A time is needed only while an entry made before it may still be served.
 */
const MAX_TAGS = 100_000

export class TagTimes {
  readonly #times = new Map<string, TagRevalidation>()
  readonly #store: CacheStore

  constructor(store: CacheStore) {
    this.#store = store
    store.watchTagRevalidations?.((record) => this.#merge(record))
  }

  /**
   * Next's `updateTags(tags, durations)`: without durations the tags expire now; with them they are
   * stale now, and expire `durations.expire` seconds from now (never, without it; at once for 0).
   * Applies here at once; a shared store's failure rejects (the caller reports it) after that.
   */
  revalidate(tags: readonly string[], durations?: { expire?: number }, now = Date.now()): Promise<void> {
    const record: Record<string, TagRevalidation> = {}
    for (const tag of tags) {
      if (durations === undefined || durations.expire === 0) record[tag] = durations === undefined ? { expired: now } : { stale: now, expired: now }
      else record[tag] = durations.expire === undefined ? { stale: now } : { stale: now, expires: now + Math.max(0, durations.expire) * 1000 }
    }
    this.#merge(record)
    return this.#store.recordTagRevalidations?.(record) ?? Promise.resolve()
  }

  #merge(record: Record<string, TagRevalidation>): void {
    mergeTagRevalidations(this.#times, record)
    for (const tag of this.#times.keys()) {
      if (this.#times.size <= MAX_TAGS) break
      if (tag !== EVERY_ENTRY) this.#times.delete(tag)
    }
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
    for (const tag of [EVERY_ENTRY, ...tags]) latest = Math.max(latest, pastExpiry(this.#times.get(tag), now))
    return latest
  }
}

/** The latest of a tag's expiries that has come, 0 for none. */
function pastExpiry(times: TagRevalidation | undefined, now: number): number {
  if (times === undefined) return 0
  const { expired = 0, expires = 0 } = times
  return Math.max(expired <= now ? expired : 0, expires <= now ? expires : 0)
}

function expiredAfter(times: TagRevalidation | undefined, timestamp: number, now: number): boolean {
  return pastExpiry(times, now) > timestamp
}
