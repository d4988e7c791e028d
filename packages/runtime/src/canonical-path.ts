/**
 * One spelling for each page path (docs/architecture.md, "Keys"), the way RFC 3986 section 6 normalises:
 *
 *   /posts/%68ello       -> /posts/hello         unreserved escapes decoded (and only those)
 *   /caf%c3%a9           -> /caf%C3%A9           hex upper-cased
 *   /café, /a b, /a[1]   -> /caf%C3%A9, /a%20b, /a%5B1%5D   what a URL may not hold raw, escaped
 *   /posts//hello/       -> /posts/hello         no empty segments, no trailing slash
 *   /docs/%2e%2e/about   -> /about               dot segments resolved, escaped ones too
 *   /a%2Fb               -> /a%2Fb               reserved escapes kept: %2F is not a "/"
 *
 * Refused with a TypeError, never mapped onto another page: `//host/x` (protocol-relative), any
 * backslash (browsers read it as "/"), `..` above the root, a `%` not followed by two hex digits, a
 * lone UTF-16 surrogate, escapes whose bytes are not UTF-8 (`%FF`, `%ED%A0%BD`): a page key is
 * well-formed Unicode once decoded, like every key (docs/runtime.md, "Keys and tags are well-formed Unicode").
 */
import { docsLink } from './docs-link.js'

/** Characters a path segment holds as they are: unreserved, sub-delims, ":" and "@". */
const PCHAR = /^[\w\-.~!$&'()*+,;=:@]$/
/** Segments with nothing to decode, encode or resolve. */
const PLAIN_SEGMENT = /^[\w\-~!$&'()*+,;=:@]*$/
const UNRESERVED = /^[\w\-.~]$/
const HEX_PAIR = /^[\dA-Fa-f]{2}$/

function refuse(caller: string, path: string, why: string): TypeError {
  return new TypeError(`${caller}: the path ${JSON.stringify(path)} ${why}; no page of this site has it, so it is not cached. See ${docsLink('runtime.md', 'Keys')}.`)
}

/** `segment` with every escape in its one spelling and every character a URL may not hold raw escaped. */
function canonicalSegment(segment: string, caller: string, path: string): string {
  if (PLAIN_SEGMENT.test(segment) && !segment.includes('.')) return segment
  let out = ''
  for (let i = 0; i < segment.length; ) {
    const char = segment[i]!
    if (char === '%') {
      const hex = segment.slice(i + 1, i + 3)
      if (!HEX_PAIR.test(hex)) throw refuse(caller, path, 'has a "%" that is not followed by two hex digits')
      const decoded = String.fromCharCode(Number.parseInt(hex, 16))
      out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`
      i += 3
      continue
    }
    const codePoint = segment.codePointAt(i)!
    const width = codePoint > 0xffff ? 2 : 1
    const text = segment.slice(i, i + width)
    if (PCHAR.test(text)) out += text
    else {
      try {
        out += encodeURIComponent(text).toUpperCase() // only escapes here: upper-casing changes just their hex
      } catch {
        throw refuse(caller, path, 'holds a lone UTF-16 surrogate')
      }
    }
    i += width
  }
  // Escapes that decode to no text (%FF, or a surrogate's bytes %ED%A0%BD) would reach the page as
  // U+FFFD, or as an error: the path names no page, and keying it would give two spellings one page.
  if (out.includes('%') && !decodesToText(out)) throw refuse(caller, path, 'has escapes that are not UTF-8 text (its decoded path would not be well-formed Unicode)')
  return out
}

function decodesToText(escaped: string): boolean {
  try {
    decodeURIComponent(escaped)
    return true
  } catch {
    return false
  }
}

/** The canonical form of `path` (which starts with "/"), or a TypeError saying why it has none. */
export function canonicalPath(path: string, caller: string): string {
  if (path.includes('\\')) throw refuse(caller, path, 'holds a backslash, which browsers and some servers read as "/"')
  if (path.startsWith('//')) throw refuse(caller, path, 'is protocol-relative (it names another host)')
  if (!path.startsWith('/')) throw refuse(caller, path, 'does not start with "/"')
  const kept: string[] = []
  for (const raw of path.slice(1).split('/')) {
    const segment = canonicalSegment(raw, caller, path)
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      if (kept.length === 0) throw refuse(caller, path, 'goes above the root with ".."')
      kept.pop()
    } else kept.push(segment)
  }
  return `/${kept.join('/')}`
}
