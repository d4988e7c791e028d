/**
 * Tag revalidation times, the tag model of caches that judge an entry by when it was made
 * (Next.js's `'use cache'` and ISR) rather than by deleting what a tag names:
 *
 *   updateTag('posts')             ->  { posts: { expired: now } }
 *   revalidateTag('posts', 'max')  ->  { posts: { stale: now, expires: now + max.expire } }
 *   an entry made at t with tag 'posts': a miss if t < expired (or t < expires, once it has come),
 *   else stale if t < stale
 *
 * An expiry at once and one to come are kept apart, so neither hides the other whatever order
 * instances learn them in: each field merges by keeping the later time, so instances may apply
 * records in any order and more than once. A shared store keeps them as
 * `"<stale>,<expired>,<expires>"` (0 for none).
 */
import type { TagRevalidation } from './types.js'

/** Tags whose times a shared store keeps; past this many the least recently revalidated is forgotten. */
export const MAX_TAG_REVALIDATIONS = 10_000

const FIELDS = ['stale', 'expired', 'expires'] as const

/** Merges `from` into `into` (the later time of each kind wins); returns the tags whose times changed. */
export function mergeTagRevalidations(into: Map<string, TagRevalidation>, from: Record<string, TagRevalidation>): string[] {
  const changed: string[] = []
  for (const [tag, times] of Object.entries(from)) {
    const known = into.get(tag)
    const merged: TagRevalidation = {}
    let change = known === undefined
    for (const field of FIELDS) {
      const time = later(known?.[field], times[field])
      if (time !== undefined) merged[field] = time
      if (time !== known?.[field]) change = true
    }
    if (!change) continue
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
  const record: Record<string, TagRevalidation> = {}
  for (const [tag, times] of Object.entries(value)) {
    if (typeof times !== 'object' || times === null) return undefined
    const read: TagRevalidation = {}
    for (const field of FIELDS) {
      const time = (times as Record<string, unknown>)[field]
      if (time === undefined) continue
      if (!isTime(time)) return undefined
      read[field] = time
    }
    record[tag] = read
  }
  return record
}

/** The stored form of one tag's times. */
export function formatTagTimes(times: TagRevalidation): string {
  return FIELDS.map((field) => times[field] ?? 0).join(',')
}

/** One tag's times from their stored form; undefined when it is not that form. */
export function parseTagTimes(text: string): TagRevalidation | undefined {
  const parts = text.split(',')
  if (parts.length !== FIELDS.length || !parts.every((part) => /^\d{1,16}$/.test(part))) return undefined
  const times: TagRevalidation = {}
  FIELDS.forEach((field, index) => {
    if (parts[index] !== '0') times[field] = Number(parts[index])
  })
  return times
}

/**
 * Lua. KEYS: the times (a hash), the recency index (a sorted set). ARGV: channel, message, now in
 * ms, then tag, stale, expired, expires (0 for none) for each tag. Merges, keeps the newest
 * MAX_TAG_REVALIDATIONS, tells every instance. Keys someone overwrote with another type are replaced.
 */
export const RECORD_TAG_REVALIDATIONS_SCRIPT = `
if redis.call('type', KEYS[1]).ok ~= 'hash' then redis.call('del', KEYS[1]) end
if redis.call('type', KEYS[2]).ok ~= 'zset' then redis.call('del', KEYS[2]) end
for i = 4, #ARGV, 4 do
  local times = { tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]) }
  local old = redis.call('hget', KEYS[1], ARGV[i])
  if old then
    local before = { string.match(old, '^(%d+),(%d+),(%d+)$') }
    for j = 1, 3 do times[j] = math.max(times[j], tonumber(before[j]) or 0) end
  end
  redis.call('hset', KEYS[1], ARGV[i], string.format('%d,%d,%d', times[1], times[2], times[3]))
  redis.call('zadd', KEYS[2], ARGV[3], ARGV[i])
end
while redis.call('zcard', KEYS[2]) > ${MAX_TAG_REVALIDATIONS} do
  redis.call('hdel', KEYS[1], redis.call('zpopmin', KEYS[2])[1])
end
redis.call('publish', ARGV[1], ARGV[2])
return 1`
