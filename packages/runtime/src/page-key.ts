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
  if (typeof route !== 'string' || !route.startsWith('/')) {
    throw new TypeError(`pageKey: route must be a path starting with "/", got ${JSON.stringify(route)}`)
  }
  const queryNames = Array.isArray(options) ? (options as readonly string[]) : (options as PageKeyOptions | undefined)?.query
  const where = requestUrl(context)
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

// A path of plain segments (letters, digits, `_`, `-`, `~`; no dots, no escapes, no `//`) and at
// most one trailing slash: canonical as it is. An absolute URL needs a host (`https:///x` is not one).
const SIMPLE_ABSOLUTE = /^https?:\/\/[^/?#\\]+((?:\/[\w\-~]+)*)\/?(?:[?#]|$)/
const SIMPLE_RELATIVE = /^(?=\/)((?:\/[\w\-~]+)*)\/?(?:[?#]|$)/
const SIMPLE_PATHNAME = /^((?:\/[\w\-~]+)*)\/?$/

/** The canonical pathname of a URL whose path needs no work, or undefined. */
function simplePathname(url: URL | string): string | undefined {
  const match = url instanceof URL ? SIMPLE_PATHNAME.exec(url.pathname) : (url.charCodeAt(0) === 47 ? SIMPLE_RELATIVE : SIMPLE_ABSOLUTE).exec(url)
  if (match === null) return undefined
  return match[1] || '/'
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

/**
 * Where frameworks put the URL a loader or page was called for, in the order they are read: the
 * framework's normalised URL first (the one it routed on), the raw request after it. SvelteKit's
 * `event.request` carries `/__data.json` on client navigations, React Router 8's `.data`.
 */
const URL_FIELDS: Array<(context: unknown) => unknown> = [
  (context) => field(context, 'url'), // SvelteKit event.url, React Router 8's url, Astro; a Workers Request itself
  (context) => field(field(context, 'request'), 'url'), // Remix and React Router 7: { request }
  (context) => field(field(context, 'location'), 'href'), // TanStack Router: { location }
  // Next.js getServerSideProps: `resolvedUrl` is the page's path; `req.url` is `/_next/data/<build>/<path>.json` on client navigations.
  (context) => field(context, 'resolvedUrl'),
  (context) => field(field(context, 'req'), 'url'), // Next.js pages router: { req }
]

/** The first URL, or URL string, the context carries. */
export function requestUrl(context: unknown): URL | string | undefined {
  for (const read of URL_FIELDS) {
    const candidate = read(context)
    if (candidate instanceof URL || typeof candidate === 'string') return candidate
  }
  return undefined
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
