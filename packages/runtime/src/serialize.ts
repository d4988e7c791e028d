/**
 * The text form of an entry in a remote store (Redis, the Workers Cache API): a versioned JSON
 * envelope whose value keeps what JSON alone loses.
 *
 *   { f: 1, storedAt, ttlMs, staleMs, tags?, version?, value }
 *   new Date(0)        -> { "$": "date", "v": 0 }
 *   new Map([[1, 2]])  -> { "$": "map", "v": [[1, 2]] }
 *   new Set([1])       -> { "$": "set", "v": [1] }
 *   10n                -> { "$": "bigint", "v": "10" }
 *   undefined, NaN     -> { "$": "undefined" }, { "$": "number", "v": "NaN" }
 *   { $: 'x' }         -> { "$": "object", "v": { "$": "x" } }   (an object that has a "$" key of its own)
 *
 * Reading never trusts the text: anything malformed, of another format, or too large is
 * "unreadable" (a miss), and objects are rebuilt with own data properties only, so a `__proto__`
 * key stays a key and never becomes a prototype.
 */
import type { CacheEntry } from './types.js'

export const ENVELOPE_FORMAT = 1
/** Entries larger than this are not written, and not read if someone else wrote them. */
export const DEFAULT_MAX_ENTRY_BYTES = 8 * 1024 * 1024

type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded }

function tagged(tag: string, value?: Encoded): Encoded {
  return value === undefined ? { $: tag } : { $: tag, v: value }
}

function encode(value: unknown, path: string, seen: Set<object>): Encoded {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : tagged('number', String(Object.is(value, -0) ? '-0' : value))
    case 'bigint':
      return tagged('bigint', value.toString())
    case 'undefined':
      return tagged('undefined')
    case 'function':
    case 'symbol':
      throw new TypeError(`A ${typeof value} cannot be stored in a shared cache (at ${path})`)
  }
  if (value === null) return null
  const object = value as object
  if (seen.has(object)) throw new TypeError(`A circular reference cannot be stored in a shared cache (at ${path})`)
  if (typeof Response !== 'undefined' && object instanceof Response) {
    throw new TypeError(`A Response cannot be stored in a shared cache (at ${path}): cache the data, and build the Response from it`)
  }
  seen.add(object)
  try {
    if (object instanceof Date) return tagged('date', Number.isNaN(object.getTime()) ? null : object.getTime())
    if (object instanceof Map) return tagged('map', [...object].map(([k, v], i) => [encode(k, `${path}.keys[${i}]`, seen), encode(v, `${path}.get(${String(k)})`, seen)]))
    if (object instanceof Set) return tagged('set', [...object].map((item, i) => encode(item, `${path}[${i}]`, seen)))
    if (Array.isArray(object)) return Array.from(object, (item, i) => encode(item, `${path}[${i}]`, seen))
    const toJSON = (object as { toJSON?: () => unknown }).toJSON
    if (typeof toJSON === 'function') return encode(toJSON.call(object), path, seen)
    const encoded: Record<string, Encoded> = {}
    for (const [key, item] of Object.entries(object)) {
      Object.defineProperty(encoded, key, { value: encode(item, `${path}.${key}`, seen), enumerable: true, writable: true, configurable: true })
    }
    return Object.hasOwn(object, '$') ? tagged('object', encoded) : encoded
  } finally {
    seen.delete(object)
  }
}

class Unreadable extends Error {}

function decodeObject(encoded: Record<string, unknown>): Record<string, unknown> {
  // Own data properties only: `__proto__` from the text becomes a plain key, not a prototype.
  return Object.fromEntries(Object.entries(encoded).map(([key, item]) => [key, decode(item)]))
}

function decode(encoded: unknown): unknown {
  if (encoded === null || typeof encoded !== 'object') return encoded
  if (Array.isArray(encoded)) return encoded.map(decode)
  const record = encoded as Record<string, unknown>
  if (!Object.hasOwn(record, '$')) return decodeObject(record)
  const value = record.v
  switch (record.$) {
    case 'undefined':
      return undefined
    case 'number':
      if (value === 'NaN' || value === 'Infinity' || value === '-Infinity' || value === '-0') return Number(value)
      break
    case 'bigint':
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value)
      break
    case 'date':
      if (value === null || typeof value === 'number') return new Date(value ?? Number.NaN)
      break
    case 'map':
      if (Array.isArray(value) && value.every((pair) => Array.isArray(pair) && pair.length === 2)) {
        return new Map((value as unknown[][]).map(([k, v]) => [decode(k), decode(v)]))
      }
      break
    case 'set':
      if (Array.isArray(value)) return new Set(value.map(decode))
      break
    case 'object':
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return decodeObject(value as Record<string, unknown>)
      break
  }
  throw new Unreadable()
}

/**
 * How long a shared store keeps an entry: until it may no longer be served, ttl + staleSeconds
 * (at least one second; the stores' own expiry works in whole seconds or milliseconds).
 */
export function storedLifetimeSeconds(entry: CacheEntry): number {
  return Math.max(1, Math.ceil((entry.ttlMs + entry.staleMs) / 1000))
}

/** The envelope of `entry` as text; throws a TypeError for a value a shared cache cannot keep. */
export function serializeEntry(entry: CacheEntry, maxBytes = DEFAULT_MAX_ENTRY_BYTES): string {
  const envelope: Record<string, Encoded> = { f: ENVELOPE_FORMAT, storedAt: entry.storedAt, ttlMs: entry.ttlMs, staleMs: entry.staleMs }
  if (entry.tags?.length) envelope.tags = [...entry.tags]
  if (entry.version !== undefined) envelope.version = entry.version
  envelope.value = encode(entry.value, 'value', new Set())
  const text = JSON.stringify(envelope)
  if (text.length > maxBytes) throw new TypeError(`An entry of ${text.length} bytes is larger than the ${maxBytes} a shared cache keeps`)
  return text
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** The entry in `text`, or undefined when it is unreadable: a miss, never a crash. */
export function deserializeEntry(text: unknown, maxBytes = DEFAULT_MAX_ENTRY_BYTES): CacheEntry | undefined {
  if (typeof text !== 'string' || text.length > maxBytes) return undefined
  try {
    const envelope = JSON.parse(text) as Record<string, unknown>
    if (envelope === null || typeof envelope !== 'object' || envelope.f !== ENVELOPE_FORMAT) return undefined
    const { storedAt, ttlMs, staleMs, tags, version } = envelope
    if (!isFiniteNumber(storedAt) || !isFiniteNumber(ttlMs) || !isFiniteNumber(staleMs) || !Object.hasOwn(envelope, 'value')) return undefined
    if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) return undefined
    if (version !== undefined && typeof version !== 'string') return undefined
    const entry: CacheEntry = { value: decode(envelope.value), storedAt, ttlMs, staleMs }
    if (tags !== undefined) entry.tags = tags as string[]
    if (version !== undefined) entry.version = version
    return entry
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof Unreadable || error instanceof RangeError) return undefined
    throw error
  }
}
