/**
 * The text form of an entry in a remote store (Redis, the Workers Cache API, Vercel's Runtime
 * Cache): a versioned JSON envelope whose value is `devalue`'s flat form, so Date, Map, Set,
 * BigInt, undefined, RegExp, URL, typed arrays, repeated references and cycles all survive.
 *
 *   { "f": 2, "storedAt": …, "ttlMs": …, "staleMs": …, "tags"?: […], "version"?: "…",
 *     "value": [{ "a": 1, "b": 1 }, { "id": 2 }, 7] }       <- { a: o, b: o } with o = { id: 7 }
 *
 * Writing refuses what no store keeps (value-model.ts), with the same TypeError as the memory
 * store. Reading never trusts the text: anything malformed, of another format (format 1 entries
 * of earlier versions included), too large or hostile is "unreadable", a miss. What a read may
 * parse is bounded, so a hostile entry cannot hold the event loop: the text by `maxBytes`, and the
 * digits of BigInts (whose parsing takes time growing with the square of their length).
 */
import { stringify, unflatten } from 'devalue'
import type { CacheEntry } from './types.js'
import { checkCacheable, UNCACHEABLE_VALUE } from './value-model.js'

export const ENVELOPE_FORMAT = 2
/** Entries larger than this (in UTF-8 bytes) are not written, and not read if someone else wrote them. */
export const DEFAULT_MAX_ENTRY_BYTES = 8 * 1024 * 1024
/** Longest BigInt a read accepts, in digits (a 64-bit integer has 20; parsing 10,000 takes ~0.3 ms). */
export const MAX_BIGINT_DIGITS = 10_000
/** Most BigInt digits one entry may hold in all, so many long BigInts cannot add up to a stall. */
export const MAX_BIGINT_DIGITS_PER_ENTRY = 100_000

/** The UTF-8 length of `text`, counted without encoding it. */
export function utf8Bytes(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    if (code < 0x800) bytes += 1
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2 // a surrogate pair: 2 units, 4 bytes
      i++
    } else bytes += 2
  }
  return bytes
}

/** Whether `text` is more than `maxBytes` long in UTF-8; cheap when the answer is plain from its length. */
function exceeds(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true // every UTF-16 unit is at least one byte
  if (text.length * 3 <= maxBytes) return false // and at most three
  return utf8Bytes(text) > maxBytes
}

/**
 * How long a shared store keeps an entry: until it may no longer be served, ttl + staleSeconds
 * (at least one second; the stores' own expiry works in whole seconds or milliseconds).
 */
export function storedLifetimeSeconds(entry: CacheEntry): number {
  return Math.max(1, Math.ceil((entry.ttlMs + entry.staleMs) / 1000))
}

/** The value in devalue's form; a value devalue refuses is the same TypeError the memory store gives. */
function flatten(value: unknown, key: string | undefined): string {
  checkCacheable(key, value, false)
  try {
    return stringify(value)
  } catch (error) {
    const path = (error as { path?: unknown }).path
    const message = `${key === undefined ? 'This value' : `The value for "${key}"`} cannot be cached: ${(error as Error).message}${typeof path === 'string' ? ` at value${path}` : ''}`
    throw Object.assign(new TypeError(message, { cause: error }), { code: UNCACHEABLE_VALUE })
  }
}

/** The envelope of `entry` as text; throws a TypeError for a value no store can keep, or one too large. */
export function serializeEntry(entry: CacheEntry, maxBytes = DEFAULT_MAX_ENTRY_BYTES, key?: string): string {
  const head: Record<string, unknown> = { f: ENVELOPE_FORMAT, storedAt: entry.storedAt, ttlMs: entry.ttlMs, staleMs: entry.staleMs }
  if (entry.tags?.length) head.tags = [...entry.tags]
  if (entry.version !== undefined) head.version = entry.version
  const text = `${JSON.stringify(head).slice(0, -1)},"value":${flatten(entry.value, key)}}`
  if (exceeds(text, maxBytes)) {
    throw new TypeError(`An entry of ${utf8Bytes(text)} bytes${key === undefined ? '' : ` for "${key}"`} is larger than the ${maxBytes} bytes a shared cache keeps (maxEntryBytes)`)
  }
  return text
}

const DIGITS = /^-?\d+$/

/** devalue's BigInt, bounded: a hostile entry of millions of digits is unreadable, not a stall. */
function boundedBigInts(): Record<string, (value: unknown) => unknown> {
  let digitsLeft = MAX_BIGINT_DIGITS_PER_ENTRY
  return {
    BigInt(text: unknown) {
      if (typeof text !== 'string' || text.length > MAX_BIGINT_DIGITS + 1 || !DIGITS.test(text)) throw new RangeError('not a BigInt, or too long')
      digitsLeft -= text.length
      if (digitsLeft < 0) throw new RangeError('too many BigInt digits in one entry')
      return BigInt(text)
    },
  }
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** The entry in `text`, or undefined when it is unreadable: a miss, never a crash or a stall. */
export function deserializeEntry(text: unknown, maxBytes = DEFAULT_MAX_ENTRY_BYTES): CacheEntry | undefined {
  if (typeof text !== 'string' || exceeds(text, maxBytes)) return undefined
  try {
    const envelope = JSON.parse(text) as Record<string, unknown>
    if (envelope === null || typeof envelope !== 'object' || envelope.f !== ENVELOPE_FORMAT) return undefined
    const { storedAt, ttlMs, staleMs, tags, version, value } = envelope
    if (!isFiniteNumber(storedAt) || !isFiniteNumber(ttlMs) || !isFiniteNumber(staleMs)) return undefined
    if (!Array.isArray(value) && typeof value !== 'number') return undefined
    if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) return undefined
    if (version !== undefined && typeof version !== 'string') return undefined
    const entry: CacheEntry = { value: unflatten(value, boundedBigInts()), storedAt, ttlMs, staleMs }
    if (tags !== undefined) entry.tags = tags as string[]
    if (version !== undefined) entry.version = version
    return entry
  } catch {
    // Whatever the text holds (bad JSON, devalue's "Invalid input", a reference chain deep enough
    // to overflow the stack, a bound passed): unreadable.
    return undefined
  }
}
