/**
 * What `revalidate warm` requests: every static cached route, and each given URL that belongs to
 * a cached route (dynamic ones are matched with the runtime's route grammar, most specific
 * first), on the base URL:
 *
 *   base http://localhost:3000/    routes /, /posts/[slug], /categories/[id]
 *   given https://blog.example/posts/hello?ref=feed, /about
 *   -> http://localhost:3000/                     route /
 *      http://localhost:3000/posts/hello          route /posts/[slug]   (the query names no part of its key)
 *   unmatched: /about; no URL given for: /categories/[id]
 *
 * A given URL's host is not used: its path (below the base URL's path, when it starts with it)
 * is requested on the base. The query keeps only the names the route's pragma lists (`query`):
 * the others are no part of the cache key.
 */
import { bySpecificity, matchRoute, parseRoute, type ParsedRoute } from '@revalidate/runtime/internal/route-pattern'
import type { ManifestRoute } from '../manifest.js'

export interface WarmTarget {
  url: string
  /** The route pattern it warms. */
  route: string
}

export interface WarmPlan {
  targets: WarmTarget[]
  /** Given URLs of no cached route (of this site's warmable routes). */
  unmatched: string[]
  /** Dynamic routes no given URL belongs to. */
  routesWithoutUrls: string[]
  /** Routes cached only in each visitor's browser: a request from here cannot warm them. */
  browserRoutes: string[]
}

interface KnownRoute {
  route: string
  parsed: ParsedRoute
  query: ReadonlySet<string>
  dynamic: boolean
}

export function planWarmUp(base: URL, routes: readonly ManifestRoute[], given: readonly string[]): WarmPlan {
  const known = knownRoutes(routes.filter((route) => route.target !== 'browser'))
  // A route the server caches too is warmed there (React Router compiles loaders into its client build as well).
  const browserRoutes = unique(routes.filter((route) => route.target === 'browser' && !known.some((other) => other.route === route.route)).map((route) => route.route))
  const targets = new Map<string, WarmTarget>()
  const add = (path: string, route: string) => {
    // Relative to the base's path; `./` keeps a segment such as `a:b` from reading as a scheme.
    const url = new URL(`./${path.slice(1)}`, base).href
    if (!targets.has(url)) targets.set(url, { url, route })
  }
  for (const route of known) if (!route.dynamic) add(route.route, route.route)
  known.sort((a, b) => bySpecificity(a.parsed, b.parsed)) // a given URL goes to the most specific route it matches
  const unmatched: string[] = []
  const warmedRoutes = new Set<string>()
  for (const text of given) {
    const url = new URL(text, base)
    const path = below(base, url.pathname)
    const route = known.find((candidate) => matchRoute(candidate.parsed, path) !== undefined)
    if (route === undefined) {
      unmatched.push(text)
      continue
    }
    warmedRoutes.add(route.route)
    add(`${path}${keyQuery(url.searchParams, route.query)}`, route.route)
  }
  const routesWithoutUrls = known.filter((route) => route.dynamic && !warmedRoutes.has(route.route)).map((route) => route.route)
  return { targets: [...targets.values()], unmatched, routesWithoutUrls, browserRoutes }
}

/** Each route once (nested loaders share one), in the manifests' order; static ones are plain paths. */
function knownRoutes(routes: readonly ManifestRoute[]): KnownRoute[] {
  const byRoute = new Map<string, KnownRoute>()
  for (const { route, query } of routes) {
    const existing = byRoute.get(route)
    if (existing !== undefined) {
      existing.query = new Set([...existing.query, ...query])
      continue
    }
    const parsed = parseRoute(route)
    // Brackets the grammar reads as text (`[...slug].json`) still make a route no one path can stand for.
    const dynamic = parsed.params.length > 0 || /[[\]]/.test(route)
    byRoute.set(route, { route, parsed, query: new Set(query), dynamic })
  }
  return [...byRoute.values()]
}

/** A path as the app routes it: below the base URL's path, when it is there. */
function below(base: URL, pathname: string): string {
  const prefix = base.pathname.slice(0, -1)
  return prefix !== '' && (pathname === prefix || pathname.startsWith(`${prefix}/`)) ? pathname.slice(prefix.length) || '/' : pathname
}

/** The query names that vary the route's data, in their order; the rest would only repeat an entry. */
function keyQuery(search: URLSearchParams, names: ReadonlySet<string>): string {
  const kept = new URLSearchParams([...search].filter(([name]) => names.has(name)))
  const text = kept.toString()
  return text === '' ? '' : `?${text}`
}

function unique(items: string[]): string[] {
  return [...new Set(items)]
}
