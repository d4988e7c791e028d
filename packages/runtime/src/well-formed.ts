/**
 * Keys and tags must be well-formed Unicode. A lone UTF-16 surrogate (a string cut in the middle
 * of an emoji) has no UTF-8 form: Redis and SQLite would store U+FFFD in its place, merging it
 * with another name, and `encodeURIComponent` (a Cache API or Cache Storage URL) throws. Stores
 * and the Durable Object coordinator refuse such a name on their own, with the same message, so a
 * name never reaches storage mangled whoever calls them.
 */

// In a /u RegExp a surrogate pair is one code point, so only a lone surrogate is of category Cs.
const LONE_SURROGATE = /\p{Cs}/u

/** A TypeError naming `name` when it holds a lone surrogate; undefined when it is well-formed. */
export function illFormedName(caller: string, what: string, name: string): TypeError | undefined {
  if (!LONE_SURROGATE.test(name)) return undefined
  // JSON.stringify writes a lone surrogate as \udxxx, so the message itself is well-formed.
  return new TypeError(
    `${caller}: ${what} ${JSON.stringify(name)} is not well-formed Unicode (it holds a lone UTF-16 surrogate, as a string cut in the middle of an emoji does); ` +
      'no store can keep it faithfully. Cut strings by code point (Array.from(text).slice(0, n).join(\'\')) or use text.toWellFormed().',
  )
}

/** Throws the TypeError of the first ill-formed name among `names`. */
export function refuseIllFormed(caller: string, what: string, names: Iterable<string>): void {
  for (const name of names) {
    const bad = illFormedName(caller, what, name)
    if (bad) throw bad
  }
}
