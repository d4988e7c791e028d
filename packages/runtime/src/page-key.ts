/**
 * The cache key of a compiled page: `page:<pathname>`, the same convention as hand-written keys,
 * so `invalidate('page:/posts/hello')` reaches the page.
 *
 *   pageKey('/posts/[slug]', { request: new Request('https://x.dev/posts/hi?ref=1') }) -> 'page:/posts/hi'
 *   pageKey('/posts/:slug', { params: { slug: 'hi' } })                               -> 'page:/posts/hi'
 *   pageKey('/search', { url: new URL('https://x.dev/search?q=a&p=2') }, ['q'])       -> 'page:/search?q=a'
 *
 * The query string is left out unless `queryNames` lists what may vary the data: otherwise every
 * query would get its own entry, or worse, the first one's data.
 */
export function pageKey(route: string, context: unknown, queryNames?: readonly string[]): string {
  if (typeof route !== 'string' || !route.startsWith('/')) {
    throw new TypeError(`pageKey: route must be a path starting with "/", got ${JSON.stringify(route)}`)
  }
  const where = requestUrl(context)
  if (typeof where === 'string' && !queryNames?.length) {
    const simple = simplePathname(where)
    if (simple !== undefined) return `page:${withoutTrailingSlash(simple)}`
  }
  const url = where === undefined ? undefined : parsed(where)
  const pathname = url ? url.pathname : fillRoute(route, paramsOf(route, context))
  const query = queryNames?.length ? pickQuery(queryNames, url?.searchParams ?? searchParamsOf(context)) : ''
  return `page:${withoutTrailingSlash(pathname)}${query}`
}

// An absolute URL whose path has only characters that URL parsing leaves as they are (no dots,
// no percent signs, nothing to encode): its pathname is the text itself, no parse needed.
const SIMPLE_URL = /^https?:\/\/[^/?#\\]*(\/[\w\-~/]*)?(?:[?#]|$)/

/** The pathname of a request URL, read without a URL parse when that is safe. */
function simplePathname(url: string): string | undefined {
  const match = SIMPLE_URL.exec(url)
  return match ? (match[1] ?? '/') : undefined
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined
}

/** Where frameworks put the URL a loader or page was called for, in the order they are read. */
const URL_FIELDS: Array<(context: unknown) => unknown> = [
  (context) => field(field(context, 'request'), 'url'), // Remix, React Router, SvelteKit, Astro: { request }
  (context) => field(context, 'url'), // SvelteKit and Astro: { url }; a Workers Request itself
  (context) => field(field(context, 'req'), 'url'), // Next.js pages router: { req }
  (context) => field(context, 'resolvedUrl'), // Next.js getServerSideProps
]

/** The first URL, or URL string, the context carries. */
function requestUrl(context: unknown): URL | string | undefined {
  for (const read of URL_FIELDS) {
    const candidate = read(context)
    if (candidate instanceof URL || typeof candidate === 'string') return candidate
  }
  return undefined
}

function parsed(url: URL | string): URL {
  if (url instanceof URL) return url
  try {
    return new URL(url, 'http://localhost')
  } catch {
    throw new TypeError(`pageKey: cannot read a URL from ${JSON.stringify(url)}`)
  }
}

function paramsOf(route: string, context: unknown): Record<string, unknown> {
  const params = field(context, 'params')
  if (typeof (params as Promise<unknown> | undefined)?.then === 'function') {
    throw new TypeError(`pageKey: params of route "${route}" is a Promise; await it and pass { params } instead`)
  }
  return (params ?? {}) as Record<string, unknown>
}

function searchParamsOf(context: unknown): URLSearchParams {
  const search = field(context, 'searchParams') ?? field(context, 'query')
  if (search instanceof URLSearchParams) return search
  const params = new URLSearchParams()
  if (typeof search !== 'object' || search === null) return params
  for (const [name, value] of Object.entries(search)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) params.append(name, String(item))
    }
  }
  return params
}

// `[[...rest]]`, `[...rest]`, `[slug]` (file routes) and `:slug`, `:slug?`, `:rest*`, `:rest+` (patterns).
const PARAM = /\[\[\.\.\.([\w$]+)\]\]|\[\.\.\.([\w$]+)\]|\[([\w$]+)\]|:([\w$]+)([?*+]?)/g

function fillRoute(route: string, params: Record<string, unknown>): string {
  const segments = route.split('/').map((segment) =>
    segment.replace(PARAM, (_match, optionalRest?: string, rest?: string, name?: string, pattern?: string, modifier?: string) => {
      const param = (optionalRest ?? rest ?? name ?? pattern) as string
      const optional = optionalRest !== undefined || modifier === '?' || modifier === '*'
      const many = optionalRest !== undefined || rest !== undefined || modifier === '*' || modifier === '+'
      const value = params[param]
      const parts = value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]
      if (parts.length === 0 && !optional) {
        throw new TypeError(`pageKey: route "${route}" needs params.${param}, but the context has none`)
      }
      if (parts.length > 1 && !many) {
        throw new TypeError(`pageKey: params.${param} of route "${route}" must be one value, got ${parts.length}`)
      }
      return parts.map((part) => encodeURIComponent(String(part))).join('/')
    }),
  )
  return segments.filter((segment, index) => index === 0 || segment !== '').join('/') || '/'
}

function pickQuery(names: readonly string[], search: URLSearchParams): string {
  const picked = new URLSearchParams()
  for (const name of [...names].sort()) {
    for (const value of search.getAll(name)) picked.append(name, value)
  }
  const query = picked.toString()
  return query === '' ? '' : `?${query}`
}

function withoutTrailingSlash(pathname: string): string {
  return pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname
}
