/**
 * What the cache keeps for each entry of Next.js's (the coordinator's value), whichever handler
 * made it: when Next made it and how long it lives, in Next's own terms, and the handler's data.
 *
 *   'use cache'  { timestamp, revalidate: 900, expire: 3600, tags: ['posts'], data: { stale, body } }
 *   ISR page     { timestamp, revalidate: 60, expire: 31536000, tags: ['_N_T_/posts', …], data: { value, cacheControl } }
 */

/** Seconds in a year: Next's longest `expire`, and the lifetime of an entry that never expires by itself. */
export const ONE_YEAR_SECONDS = 31_536_000

export interface NextEntry<Data = unknown> {
  /** When Next began making it, in ms since the epoch: tag revalidations after it make it stale or gone. */
  timestamp: number
  /** Seconds after `timestamp` past which Next makes it again in the background; undefined for never. */
  revalidate?: number
  /** Seconds after `timestamp` past which it is not served at all. */
  expire: number
  /** Its tags (Next's explicit and, for pages, implicit ones), judged against tag times. */
  tags: string[]
  data: Data
}

const isSeconds = (value: unknown): value is number => typeof value === 'number' && value >= 0 && Number.isFinite(value)

/** Whether `value` has the shape of a NextEntry (an entry of another format, or garbage, is a miss). */
export function isNextEntry(value: unknown): value is NextEntry {
  if (typeof value !== 'object' || value === null) return false
  const { timestamp, revalidate, expire, tags } = value as Record<string, unknown>
  return (
    typeof timestamp === 'number' &&
    Number.isFinite(timestamp) &&
    (revalidate === undefined || typeof revalidate === 'number') &&
    isSeconds(expire) &&
    Array.isArray(tags) &&
    tags.every((tag) => typeof tag === 'string')
  )
}

/** When the entry stops being served, in ms since the epoch. */
export function expiresAt(entry: NextEntry): number {
  return entry.timestamp + entry.expire * 1000
}

/** Whether Next would make the entry again now (past `revalidate`); a negative `revalidate` always is. */
export function pastRevalidate(entry: NextEntry, now: number): boolean {
  return entry.revalidate !== undefined && now > entry.timestamp + entry.revalidate * 1000
}
