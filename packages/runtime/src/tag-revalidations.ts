/**
 * Tag revalidation times, the tag model of caches that judge an entry by when it was made
 * (Next.js's `'use cache'` and ISR) rather than by deleting what a tag names:
 *
 *   revalidateTag('posts', 'max')  ->  { posts: { stale: now, expired: now + max.expire } }
 *   updateTag('posts')             ->  { posts: { expired: now } }
 *   an entry made at t with tag 'posts':  stale if t < stale, a miss if t < expired <= now
 *
 * Records merge by keeping the later time of each kind, so instances may apply them in any order
 * and more than once. A shared store keeps them as `"<stale>,<expired>"` (0 for none).
 */
import type { TagRevalidation } from './types.js'

/** Tags whose times a shared store keeps; past this many the least recently revalidated is forgotten. */
export const MAX_TAG_REVALIDATIONS = 10_000

/** Merges `from` into `into` (the later time of each kind wins); returns the tags whose times changed. */
export function mergeTagRevalidations(into: Map<string, TagRevalidation>, from: Record<string, TagRevalidation>): string[] {
  const changed: string[] = []
  for (const [tag, times] of Object.entries(from)) {
    const known = into.get(tag)
    const stale = later(known?.stale, times.stale)
    const expired = later(known?.expired, times.expired)
    if (stale === known?.stale && expired === known?.expired) continue
    const merged: TagRevalidation = {}
    if (stale !== undefined) merged.stale = stale
    if (expired !== undefined) merged.expired = expired
    into.set(tag, merged)
    changed.push(tag)
  }
  return changed
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b
  return b === undefined ? a : Math.max(a, b)
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0

/** A record as another instance sent it, or undefined for anything malformed: never a throw. */
export function readTagRevalidations(value: unknown): Record<string, TagRevalidation> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const record: Record<string, TagRevalidation> = Object.create(null) as Record<string, TagRevalidation>
  for (const [tag, times] of Object.entries(value)) {
    if (typeof times !== 'object' || times === null) return undefined
    const { stale, expired } = times as Record<string, unknown>
    if ((stale !== undefined && !isTime(stale)) || (expired !== undefined && !isTime(expired))) return undefined
    record[tag] = stale === undefined ? (expired === undefined ? {} : { expired }) : expired === undefined ? { stale } : { stale, expired }
  }
  return record
}

/** The stored form of one tag's times. */
export function formatTagTimes(times: TagRevalidation): string {
  return `${times.stale ?? 0},${times.expired ?? 0}`
}

/** One tag's times from their stored form; undefined when it is not that form. */
export function parseTagTimes(text: string): TagRevalidation | undefined {
  const match = /^(\d{1,16}),(\d{1,16})$/.exec(text)
  if (match === null) return undefined
  const times: TagRevalidation = {}
  if (match[1] !== '0') times.stale = Number(match[1])
  if (match[2] !== '0') times.expired = Number(match[2])
  return times
}

/**
 * Lua. KEYS: the times (a hash), the recency index (a sorted set). ARGV: channel, message, now in
 * ms, then tag, stale, expired (0 for none) for each tag. Merges, keeps the newest
 * MAX_TAG_REVALIDATIONS, tells every instance. Keys someone overwrote with another type are replaced.
 */
export const RECORD_TAG_REVALIDATIONS_SCRIPT = `
if redis.call('type', KEYS[1]).ok ~= 'hash' then redis.call('del', KEYS[1]) end
if redis.call('type', KEYS[2]).ok ~= 'zset' then redis.call('del', KEYS[2]) end
for i = 4, #ARGV, 3 do
  local stale, expired = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local old = redis.call('hget', KEYS[1], ARGV[i])
  if old then
    local oldStale, oldExpired = string.match(old, '^(%d+),(%d+)$')
    stale = math.max(stale, tonumber(oldStale) or 0)
    expired = math.max(expired, tonumber(oldExpired) or 0)
  end
  redis.call('hset', KEYS[1], ARGV[i], string.format('%d,%d', stale, expired))
  redis.call('zadd', KEYS[2], ARGV[3], ARGV[i])
end
while redis.call('zcard', KEYS[2]) > ${MAX_TAG_REVALIDATIONS} do
  redis.call('hdel', KEYS[1], redis.call('zpopmin', KEYS[2])[1])
end
redis.call('publish', ARGV[1], ARGV[2])
return 1`
