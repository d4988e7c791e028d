/**
 * Whether a rendered response may be cached, and for how long, read the way Astro's own runtime
 * provider reads it (astro/dist/core/cache/memory-provider.js): Astro turns `Astro.cache.set()`
 * and route rules into `CDN-Cache-Control` and `Cache-Tag` on the response before we see it.
 *
 *   CDN-Cache-Control: max-age=300, stale-while-revalidate=60   -> kept 300 s fresh, 60 s stale
 *   Cache-Tag: posts, home                                      -> tagged posts, home
 *   no max-age (or 0)                                           -> not cached
 *   Set-Cookie (a header, or Astro.cookies set)                 -> not cached, with Astro's warning
 *   Vary: Cookie, Vary: *                                       -> not cached, with Astro's warning
 *   Vary: Accept-Language                                       -> cached per value of the request's header
 */

export type ResponsePolicy =
  | { cache: true; maxAge: number; swr: number; tags: string[]; vary: string[] }
  | { cache: false; warning?: string }

/** Astro keeps the cookies a page set on the response under this registered symbol until it writes them out. */
const ASTRO_COOKIES = Symbol.for('astro.cookies')

/** Headers Astro uses to hand cache options to providers; never part of a stored response. */
const INTERNAL_HEADERS = new Set(['cdn-cache-control', 'cache-tag', 'set-cookie'])

export function isInternalHeader(name: string): boolean {
  return INTERNAL_HEADERS.has(name)
}

function directive(cacheControl: string, name: string): number {
  for (const part of cacheControl.split(',')) {
    const [key, value] = part.trim().toLowerCase().split('=')
    if (key === name) return Number.parseInt(value ?? '', 10) || 0
  }
  return 0
}

function setsCookies(response: Response): boolean {
  if (response.headers.has('set-cookie')) return true
  const cookies = (response as unknown as Record<symbol, { headers?: () => Iterator<unknown> } | undefined>)[ASTRO_COOKIES]
  return typeof cookies?.headers === 'function' && cookies.headers().next().done === false
}

/** What `response` asks of the cache; `where` is the request's path and query, for the warnings. */
export function policyOf(response: Response, where: string): ResponsePolicy {
  const cacheControl = response.headers.get('cdn-cache-control') ?? ''
  const maxAge = directive(cacheControl, 'max-age')
  if (maxAge <= 0) return { cache: false }
  if (setsCookies(response)) return { cache: false, warning: `Skipping cache for ${where} because response includes Set-Cookie.` }
  const vary = (response.headers.get('vary') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'set-cookie')
  const uncacheable = vary.find((name) => name === 'cookie' || name === '*')
  if (uncacheable !== undefined) {
    return { cache: false, warning: `Skipping cache for ${where} because response includes Vary: ${uncacheable === '*' ? '*' : 'Cookie'}.` }
  }
  const tags = (response.headers.get('cache-tag') ?? '').split(',').map((tag) => tag.trim()).filter((tag) => tag !== '')
  return { cache: true, maxAge, swr: directive(cacheControl, 'stale-while-revalidate'), tags, vary: [...new Set(vary)].sort() }
}
