/**
 * Keys and tags must be well-formed Unicode. A lone UTF-16 surrogate (a string cut in the middle
 * of an emoji) has no UTF-8 form: Redis and SQLite would store U+FFFD in its place, merging it
 * with another name, and `encodeURIComponent` (a Cache API or Cache Storage URL) throws. The core
 * refuses such a name at the call; stores and the Durable Object coordinator refuse it on their
 * own too, with the same message, so a name never reaches storage mangled whoever calls them.
 */

// In a /u RegExp a surrogate pair is one code point, so only a lone surrogate is of category Cs.
const LONE_SURROGATE = /\p{Cs}/u

/** A TypeError naming `name` when it holds a lone surrogate; undefined when it is well-formed. */
export function illFormedName(caller: string, what: string, name: string): TypeError | undefined {
  const at = name.search(LONE_SURROGATE)
  if (at === -1) return undefined
  // JSON.stringify writes a lone surrogate as \udxxx, so the message itself is well-formed.
  return new TypeError(
    `${caller}: ${what} must be well-formed Unicode, got the string ${JSON.stringify(name)}, which holds a lone UTF-16 surrogate at index ${at} ` +
      '(half of a character, as cutting a string in the middle of an emoji leaves). Stores would turn it into U+FFFD, and so into another key: ' +
      'cut strings at code points (Array.from(text).slice(0, n).join("")) or call text.toWellFormed() first.',
  )
}

/** Throws the TypeError of the first ill-formed name among `names`. */
export function refuseIllFormed(caller: string, what: string, names: Iterable<string>): void {
  for (const name of names) {
    const bad = illFormedName(caller, what, name)
    if (bad) throw bad
  }
}
