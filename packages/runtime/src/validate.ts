import type { ListEntriesOptions, RevalidateOptions } from './types.js'

/** Says what a bad argument was, without dumping whole objects into the message. */
function describe(value: unknown): string {
  if (typeof value === 'string') return value === '' ? 'an empty string' : `the string ${JSON.stringify(value)}`
  if (typeof value === 'number') return `the number ${value}`
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : String(value)
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

export function checkKey(caller: string, argument: string, key: unknown): TypeError | undefined {
  if (!isNonEmptyString(key)) return new TypeError(`${caller}: ${argument} must be a non-empty string, got ${describe(key)}`)
  return key.isWellFormed() ? undefined : notWellFormed(caller, argument, key)
}

/**
 * A key or tag holding a lone UTF-16 surrogate (half of an emoji, from `text.slice(0, n)` or JSON)
 * cannot be kept faithfully: Redis (UTF-8), a URL and SQLite turn it into U+FFFD, so it would
 * share an entry with another key, or an invalidation would name another key. One rule for every
 * store: refused at the call (docs/runtime.md, "Keys and tags are well-formed Unicode").
 */
export function notWellFormed(caller: string, argument: string, text: string): TypeError {
  return new TypeError(
    `${caller}: ${argument} must be well-formed Unicode, got ${describe(text)}, which holds a lone UTF-16 surrogate at index ${loneSurrogateAt(text)} ` +
      '(half of a character, as cutting a string in the middle of an emoji leaves). Stores would turn it into U+FFFD, and so into another key: ' +
      'cut strings at code points (Array.from(text).slice(0, n).join("")) or call text.toWellFormed() first.',
  )
}

/**
 * The same rule for stores and the Durable Object coordinator, which refuse such a name on their
 * own too, so it never reaches storage mangled whoever calls them: undefined when well-formed.
 */
export function illFormedName(caller: string, what: string, name: string): TypeError | undefined {
  return name.isWellFormed() ? undefined : notWellFormed(caller, what, name)
}

/** Throws the TypeError of the first ill-formed name among `names`. */
export function refuseIllFormed(caller: string, what: string, names: Iterable<string>): void {
  for (const name of names) {
    const bad = illFormedName(caller, what, name)
    if (bad) throw bad
  }
}

/** Where the first unpaired surrogate of `text` is (-1 when it has none). */
function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0xd800 || code > 0xdfff) continue
    if (code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++ // a pair: one character
    else return i
  }
  return -1
}

/** Returns the TypeError for the first bad argument of a `withRevalidate` call, if any. */
export function checkRevalidateCall(
  key: unknown,
  ttlSeconds: unknown,
  fetcher: unknown,
  options: RevalidateOptions | undefined,
): TypeError | undefined {
  const caller = 'withRevalidate'
  const badKey = checkKey(caller, 'key', key)
  if (badKey) return badKey
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    return new TypeError(`${caller}: ttlSeconds must be a finite number greater than 0, got ${describe(ttlSeconds)}`)
  }
  if (typeof fetcher !== 'function') {
    return new TypeError(`${caller}: fetcher must be a function, got ${describe(fetcher)}`)
  }
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null) {
    return new TypeError(`${caller}: options must be an object, got ${describe(options)}`)
  }
  const { tags, staleSeconds, version, timeoutSeconds } = options
  if (tags !== undefined && (!Array.isArray(tags) || !tags.every(isNonEmptyString))) {
    return new TypeError(`${caller}: options.tags must be an array of non-empty strings, got ${describe(tags)}`)
  }
  const badTag = tags?.findIndex((tag) => !tag.isWellFormed()) ?? -1
  if (badTag !== -1) return notWellFormed(caller, `options.tags[${badTag}]`, tags![badTag]!)
  if (staleSeconds !== undefined) {
    const bad = checkSeconds(caller, 'options.staleSeconds', staleSeconds)
    if (bad) return bad
  }
  if (version !== undefined && typeof version !== 'string') {
    return new TypeError(`${caller}: options.version must be a string, got ${describe(version)}`)
  }
  if (timeoutSeconds !== undefined) return checkTimeout(caller, 'options.timeoutSeconds', timeoutSeconds)
  return undefined
}

/** Options checked once and frozen carry it: `withRevalidate` does not check them again. Not registered, so never forged. */
const CHECKED = Symbol('revalidate: options checked')

/**
 * `options`, frozen (its `tags` too) and marked as checked, when they are valid; as they were
 * otherwise, so the call that uses them rejects as any would. For options made once and passed on
 * every call (a compiled page's), so a hit does not check them again.
 */
export function checkedOnce(options: RevalidateOptions): RevalidateOptions {
  if (checkRevalidateCall('-', 1, () => undefined, options) !== undefined) return options
  if (options.tags !== undefined) Object.freeze(options.tags)
  return Object.freeze(Object.assign(options, { [CHECKED]: true }))
}

export function checkedAlready(options: RevalidateOptions): boolean {
  return (options as { [CHECKED]?: boolean })[CHECKED] === true
}

/** A timeout: a finite number of seconds greater than 0 (no timeout is `undefined`, not 0). */
export function checkTimeout(caller: string, argument: string, seconds: unknown): TypeError | undefined {
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) return undefined
  return new TypeError(`${caller}: ${argument} must be a finite number of seconds greater than 0 (leave it out for no timeout), got ${describe(seconds)}`)
}

/** A duration that may be zero (no stale window, no retry delay) but not negative or infinite. */
export function checkSeconds(caller: string, argument: string, seconds: unknown): TypeError | undefined {
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) return undefined
  return new TypeError(`${caller}: ${argument} must be a finite number of seconds, 0 or more, got ${describe(seconds)}`)
}

/** What a fetcher hands `keepFor`: `false`, or a ttl above 0 with an optional stale window and tags. */
export function checkLifetime(caller: string, lifetime: unknown): TypeError | undefined {
  if (lifetime === false) return undefined
  if (typeof lifetime !== 'object' || lifetime === null) {
    return new TypeError(`${caller}: expected false or { ttlSeconds, staleSeconds?, tags? }, got ${describe(lifetime)}`)
  }
  const { ttlSeconds, staleSeconds, tags } = lifetime as Record<string, unknown>
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    return new TypeError(`${caller}: ttlSeconds must be a finite number greater than 0 (false keeps nothing), got ${describe(ttlSeconds)}`)
  }
  if (staleSeconds !== undefined) {
    const bad = checkSeconds(caller, 'staleSeconds', staleSeconds)
    if (bad) return bad
  }
  if (tags !== undefined && (!Array.isArray(tags) || !tags.every(isNonEmptyString))) {
    return new TypeError(`${caller}: tags must be an array of non-empty strings, got ${describe(tags)}`)
  }
  return undefined
}

/** A store's `entries({ batchSize })`, checked: a whole number of at least 1 (100 by default). */
export function batchSizeOf(options: ListEntriesOptions | undefined): number {
  const size = options?.batchSize ?? 100
  if (Number.isInteger(size) && size >= 1) return size
  throw new TypeError(`entries: batchSize must be a whole number of at least 1, got ${describe(size)}`)
}
