/**
 * The cache key of a compiled page: `page:<pathname>`, the same convention as hand-written keys,
 * so `invalidate('page:/posts/hello')` reaches the page.
 *
 *   pageKey('/posts/[slug]', { url: new URL('https://x.dev/posts/hi?ref=1') })           -> 'page:/posts/hi'
 *   pageKey('/posts/:slug', { params: { slug: 'hi' } })                                 -> 'page:/posts/hi'
 *   pageKey('/search', { url: new URL('https://x.dev/search?q=a&p=2') }, ['q'])         -> 'page:/search?q=a'
 *
 * One page has one key, and two pages never share one (docs/architecture.md, "Keys"). The pathname is made
 * canonical: `/posts/%68ello`, `/posts//hello/`, `/posts/x/%2e%2e/hello` and `/posts/hello` are
 * all `page:/posts/hello`; `%c3%a9` is `%C3%A9`. A path that no router serves as a page of this
 * site (protocol-relative `//host/x`, a backslash, `..` above the root, a broken escape) is
 * refused with a TypeError rather than keyed as some other page.
 *
 * The query string is left out unless `query` lists what may vary the data: otherwise every
 * query would get its own entry, or worse, the first one's data.
 */
import { canonicalPath } from './canonical-path.js'
import { fillRoute, parseRoute } from './route-pattern.js'
import { notWellFormed } from './validate.js'

/** Between a page key and the part (the loader's module) of one of its entries: `page:/posts/hello#app/routes/post`. */
export const PART_SEPARATOR = '#'

/** `page:<pathname>` itself, as `invalidate` takes it: every loader's entry of that page carries it as a tag. */
export function isWholePageKey(key: string): boolean {
  return key.startsWith('page:') && !key.includes(PART_SEPARATOR)
}

export interface PageKeyOptions {
  /** Names of the query parameters that vary the page's data (the pragma's `query`). */
  query?: readonly string[]
}

export function pageKey(route: string, context: unknown, options?: readonly string[] | PageKeyOptions): string {
  const queryNames = Array.isArray(options) ? (options as readonly string[]) : (options as PageKeyOptions | undefined)?.query
  return pageKeyAt(requestUrl(context), route, context, queryNames)
}

/** `pageKey` for a caller that has read the context's URL already (`requestUrl`): it is read once per request. */
export function pageKeyAt(where: URL | string | undefined, route: string, context: unknown, queryNames: readonly string[] | undefined): string {
  if (typeof route !== 'string' || !route.startsWith('/')) {
    throw new TypeError(`pageKey: route must be a path starting with "/", got ${JSON.stringify(route)}`)
  }
  if (!queryNames?.length) {
    // The common request: a path of plain segments, already canonical; no parse, no copy.
    const simple = where === undefined ? undefined : simplePathname(where)
    if (simple !== undefined) return `page:${simple}`
  }
  let pathname: string
  let search: URLSearchParams | undefined
  if (where instanceof URL) {
    pathname = canonicalPath(where.pathname, 'pageKey')
    search = where.searchParams
  } else if (where !== undefined) {
    const parts = splitUrl(where)
    pathname = canonicalPath(parts.path, 'pageKey')
    search = new URLSearchParams(parts.query)
  } else {
    const params = paramsOf(route, context)
    refuseIllFormedParams(route, params)
    pathname = canonicalPath(fillRoute(route, params, 'pageKey'), 'pageKey')
  }
  const query = queryNames?.length ? pickQuery(queryNames, search ?? searchParamsOf(context, queryNames)) : ''
  return `page:${pathname}${query}`
}

/** Letters, digits, `_`, `-` and `~`, by char code: what a path segment holds that needs no work. */
const PLAIN = new Uint8Array(128)
for (const char of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-~') PLAIN[char.charCodeAt(0)] = 1
const SLASH = 47
const QUESTION_MARK = 63
const HASH = 35
const BACKSLASH = 92
const S = 115

/**
 * The canonical pathname of a URL whose path needs no work, or undefined: segments of plain
 * characters (no dots, no escapes, no `//`) and at most one trailing slash, canonical as they are.
 * An absolute URL needs a host (`https:///x` has none). Scanned by hand: on every request, a
 * regular expression here cost as much as the hit it keys (bench/RESULTS.md, section 1).
 */
export function simplePathname(url: URL | string): string | undefined {
  if (url instanceof URL) return plainPathAt(url.pathname, 0)
  if (url.charCodeAt(0) === SLASH) return plainPathAt(url, 0)
  if (!url.startsWith('http')) return undefined
  const scheme = url.charCodeAt(4) === S ? 5 : 4
  if (!url.startsWith('://', scheme)) return undefined
  const host = scheme + 3
  let at = host
  for (; at < url.length; at++) {
    const code = url.charCodeAt(at)
    if (code === SLASH || code === QUESTION_MARK || code === HASH) break
    if (code === BACKSLASH) return undefined
  }
  return at === host ? undefined : plainPathAt(url, at)
}

/** The plain path that starts at `from` and ends with the text, a `?` or a `#`; '/' for none. */
function plainPathAt(text: string, from: number): string | undefined {
  const length = text.length
  let at = from
  let end = length
  while (at < length) {
    const code = text.charCodeAt(at)
    if (code === QUESTION_MARK || code === HASH) {
      end = at
      break
    }
    if (code !== SLASH) return undefined
    const segment = ++at
    // Every index read is in range: one out of range would take V8 off its fast path.
    while (at < length) {
      const next = text.charCodeAt(at)
      if (next >= 128 || PLAIN[next] !== 1) break
      at++
    }
    if (at > segment) continue
    // A trailing slash, which the canonical path leaves out: only the end, `?` or `#` may follow.
    if (at < length && text.charCodeAt(at) !== QUESTION_MARK && text.charCodeAt(at) !== HASH) return undefined
    end = at - 1
    break
  }
  return end === from ? '/' : text.slice(from, end)
}

// scheme://authority, then the path up to `?` or `#`, then the query up to `#`.
const ABSOLUTE = /^[a-zA-Z][a-zA-Z\d+.-]*:\/\/[^/?#\\]*/

/**
 * The raw path and query of a URL string, as the request carried them: not resolved by a URL
 * parse, which would quietly turn `//evil.example/x` into another host's `/x`, or `\` into `/`.
 */
function splitUrl(url: string): { path: string; query: string } {
  const authority = ABSOLUTE.exec(url)
  const rest = authority === null ? url : url.slice(authority[0].length)
  if (authority === null && !rest.startsWith('/')) {
    throw new TypeError(`pageKey: cannot read a page path from ${JSON.stringify(url)}: expected an absolute URL or a path starting with "/"`)
  }
  const end = rest.search(/[?#]/)
  const path = end === -1 ? rest : rest.slice(0, end)
  const query = end === -1 || rest[end] === '#' ? '' : rest.slice(end + 1).split('#')[0]!
  return { path: path === '' ? '/' : path, query }
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined
}

const isUrl = (candidate: unknown): candidate is URL | string => typeof candidate === 'string' || candidate instanceof URL

/**
 * The first URL, or URL string, the context carries, where frameworks put the URL a loader or page
 * was called for, in this order: the framework's normalised URL first (the one it routed on), the
 * raw request after it. SvelteKit's `event.request` carries `/__data.json` on client navigations,
 * React Router 8's `.data`. Read field by field, as they are asked for: it runs on every request.
 */
export function requestUrl(context: unknown): URL | string | undefined {
  if (typeof context !== 'object' || context === null) return undefined
  const fields = context as Record<string, unknown>
  // SvelteKit event.url, React Router 8's url, Astro; a Workers Request itself.
  const url = fields.url
  if (isUrl(url)) return url
  const request = field(fields.request, 'url') // Remix and React Router 7: { request }
  if (isUrl(request)) return request
  const location = field(fields.location, 'href') // TanStack Router: { location }
  if (isUrl(location)) return location
  // Next.js getServerSideProps: `resolvedUrl` is the page's path; `req.url` is `/_next/data/<build>/<path>.json` on client navigations.
  const resolved = fields.resolvedUrl
  if (isUrl(resolved)) return resolved
  const req = field(fields.req, 'url') // Next.js pages router: { req }
  return isUrl(req) ? req : undefined
}

function paramsOf(route: string, context: unknown): Record<string, unknown> {
  const params = field(context, 'params')
  if (typeof (params as Promise<unknown> | undefined)?.then === 'function') {
    throw new TypeError(`pageKey: params of route "${route}" is a Promise; await it and pass { params } instead`)
  }
  return (params ?? {}) as Record<string, unknown>
}

/** The context's query parameters named in `names`. */
function searchParamsOf(context: unknown, names: readonly string[]): URLSearchParams {
  const search = field(context, 'searchParams') ?? field(context, 'query')
  if (search instanceof URLSearchParams) return search
  const params = new URLSearchParams()
  if (typeof search !== 'object' || search === null) return params
  for (const name of names) {
    const value = Object.hasOwn(search, name) ? (search as Record<string, unknown>)[name] : undefined
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined) continue
      // A parsed query object (unlike a URL's own parameters) may hold a lone surrogate, which URLSearchParams would write as U+FFFD.
      const text = String(item)
      if (!text.isWellFormed()) throw notWellFormed('pageKey', `query parameter "${name}"`, text)
      params.append(name, text)
    }
  }
  return params
}

/**
 * A param holding a lone surrogate is refused by its name (the route grammar, which imports
 * nothing, would leave it to encodeURIComponent's bare URIError).
 */
function refuseIllFormedParams(route: string, params: Record<string, unknown>): void {
  for (const { name } of parseRoute(route).params) {
    const value = params[name]
    for (const part of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (typeof part === 'string' && !part.isWellFormed()) throw notWellFormed('pageKey', `params.${name} of route "${route}"`, part)
    }
  }
}

function pickQuery(names: readonly string[], search: URLSearchParams): string {
  const picked = new URLSearchParams()
  for (const name of [...names].sort()) {
    for (const value of search.getAll(name)) picked.append(name, value)
  }
  const query = picked.toString()
  return query === '' ? '' : `?${query}`
}
