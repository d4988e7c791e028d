/**
 * The route of a page file, from its path below the routes folder:
 *
 *   src/routes/index.tsx                  -> /
 *   src/pages/posts/[slug].tsx            -> /posts/[slug]
 *   app/(blog)/posts/[slug]/page.tsx      -> /posts/[slug]        (Next.js app router)
 *   src/routes/posts/[slug]/+page.server.ts -> /posts/[slug]      (SvelteKit)
 *   app/routes/posts.$slug.tsx            -> /posts/:slug         (Remix flat routes)
 *
 * and the grammar of those routes, read in one place (parseRoute) by everything that matches or
 * fills them: `[slug]` and `:slug` (one segment), `[...rest]` and `:rest+` (one or more),
 * `[[...rest]]` and `:rest*` (zero or more), `[[lang]]` and `:lang?` (zero or one).
 */
import type { ResolvedOptions } from './options.js'

const FILE_ONLY_SEGMENTS = /^(index|page|_index|\+page|\+page\.server|\+layout|\+layout\.server|route)$/

/**
 * The file path of a module id: without the query or hash a bundler adds
 * (`route.tsx?__react-router-build-client-route`, `page.astro?astro&type=style`), with `/`.
 */
export function pathOfId(id: string): string {
  return id.replaceAll('\\', '/').replace(/[?#].*$/, '')
}

export function routeFromId(id: string, options: Pick<ResolvedOptions, 'routesDirs' | 'root'>): string {
  const path = pathOfId(id)
  const relative = path.startsWith(`${options.root}/`) ? path.slice(options.root.length + 1) : path
  let below = relative
  for (const dir of options.routesDirs) {
    const normalized = dir.replaceAll('\\', '/').replace(/^\.\//, '').replace(/\/$/, '')
    const at = `/${relative}`.lastIndexOf(`/${normalized}/`)
    if (at !== -1) {
      below = relative.slice(at + normalized.length + 1)
      break
    }
  }
  const withoutExtension = below.replace(/\.(m?[jt]sx?|astro)$/, '')
  const segments = withoutExtension
    .split('/')
    // React Router and Remix flat routes: `posts.$slug`, `posts._index` (the file name only: a folder may be `sitemap.xml`)
    .flatMap((segment, index, all) => (segment.includes('$') || (index === all.length - 1 && segment.includes('._')) ? segment.split('.') : [segment]))
    .filter((segment) => !FILE_ONLY_SEGMENTS.test(segment) && !/^\(.*\)$/.test(segment) && segment !== '')
    .map((segment) => segment.replace(/^\$(\w+)$/, ':$1'))
  return `/${segments.join('/')}`
}

// `[[...rest]]`, `[[name]]`, `[...rest]`, `[slug]` (SvelteKit's `=matcher` allowed), and `:name` with a modifier (`?`, `*`, `+`).
const ROUTE_PARAM = /^(?:\[\[\.\.\.([\w$]+)\]\]|\[\[([\w$]+)(?:=\w+)?\]\]|\[\.\.\.([\w$]+)(?:=\w+)?\]|\[([\w$]+)(?:=\w+)?\]|:([\w$]+)([?*+]?))$/

/** One segment of a route: literal text, or a param (one segment, zero or one, one or more, zero or more). */
export type RouteSegment = string | { param: string; kind: 'one' | 'optional' | 'rest' | 'optionalRest' }

export interface ParsedRoute {
  segments: RouteSegment[]
  params: string[]
  /** The regular expression for the paths of the route (as a URL carries them), one group per param. */
  pattern: string
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const MODIFIER_KINDS = { '': 'one', '?': 'optional', '+': 'rest', '*': 'optionalRest' } as const

export function parseRoute(route: string): ParsedRoute {
  const segments: RouteSegment[] = route
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const match = ROUTE_PARAM.exec(segment)
      if (match === null) return segment
      const [, optionalRest, optional, rest, one, colon, modifier] = match
      if (optionalRest !== undefined) return { param: optionalRest, kind: 'optionalRest' }
      if (optional !== undefined) return { param: optional, kind: 'optional' }
      if (rest !== undefined) return { param: rest, kind: 'rest' }
      if (one !== undefined) return { param: one, kind: 'one' }
      return { param: colon!, kind: MODIFIER_KINDS[modifier as keyof typeof MODIFIER_KINDS] }
    })
  const pattern = segments
    .map((segment) => {
      if (typeof segment === 'string') return `/${escapeRegExp(segment)}`
      // An optional param's slash belongs to it: /docs matches /docs/[[...path]], /docsxyz does not.
      if (segment.kind === 'optionalRest') return '(?:/(.+?))?'
      if (segment.kind === 'optional') return '(?:/([^/]+?))?'
      return segment.kind === 'rest' ? '/(.+?)' : '/([^/]+?)'
    })
    .join('')
  const params = segments.flatMap((segment) => (typeof segment === 'string' ? [] : [segment.param]))
  return { segments, params, pattern: `^${pattern}/?$` }
}

/** More specific routes first: fewer catch-alls, fewer optional params, then more literal segments. */
function specificity(route: ParsedRoute): number[] {
  const kinds = route.segments.map((segment) => (typeof segment === 'string' ? 'literal' : segment.kind))
  const count = (kind: string) => kinds.filter((each) => each === kind).length
  return [count('optionalRest'), count('rest'), count('optional'), -count('literal')]
}

export function bySpecificity(a: ParsedRoute, b: ParsedRoute): number {
  const [x, y] = [specificity(a), specificity(b)]
  return x.map((value, i) => value - y[i]!).find((difference) => difference !== 0) ?? 0
}
