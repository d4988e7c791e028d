/**
 * The one grammar of route patterns, shared by the runtime (a page's key when no URL is at hand)
 * and the plugin (the routes it writes, Vercel's Build Output and the function behind it):
 *
 *   /posts/[slug]        /posts/:slug      one segment                 /posts/hello
 *   /[[lang]]/about      /:lang?/about     zero or one segment         /about, /en/about
 *   /docs/[...path]      /docs/:path+      one or more segments        /docs/a, /docs/a/b
 *   /docs/[[...path]]    /docs/:path*      zero or more segments       /docs, /docs/a/b
 *   /[lang]-[slug]                         params inside a segment     /en-hello
 *
 * File routes (Next.js, SvelteKit, Astro) use brackets, route patterns (React Router, TanStack
 * Start, as the plugin writes them) a colon. A name is letters, digits, `_` and `$`; a bracketed
 * one may name a SvelteKit matcher (`[id=integer]`), which only narrows what the app answers, so it
 * is read and left out. `:name` and every param that may be empty or span segments stand alone in
 * their segment; `[name]` may share one with text. Anything else is literal text.
 *
 * This module imports nothing: the plugin copies it next to the Vercel function it writes.
 */

export interface RouteParam {
  name: string
  /** Zero segments fill it (`[[...path]]`, `:lang?`). */
  optional: boolean
  /** It spans one or more segments, filled from a list (`[...path]`, `:path+`). */
  many: boolean
}

/** A segment: literal text and params, in order (most are one or the other alone). */
export type RouteSegment = readonly (string | RouteParam)[]

export interface ParsedRoute {
  route: string
  segments: readonly RouteSegment[]
  /** Every param, in the order written. */
  params: readonly RouteParam[]
}

/** A segment that is one param and nothing else: every form, a param that may be empty or many included. */
const WHOLE_SEGMENT_PARAM = /^(?:\[\[\.\.\.([\w$]+)(?:=\w+)?\]\]|\[\.\.\.([\w$]+)(?:=\w+)?\]|\[\[([\w$]+)(?:=\w+)?\]\]|:([\w$]+)([?*+]?))$/
/** A one-segment param inside text: `[lang]` of `[lang]-[slug]`, `[id=integer]`. */
const INLINE_PARAM = /\[([\w$]+)(?:=\w+)?\]/g

/** Parsed routes by their text: routes are few (one per page), so each is parsed once. */
const parsedRoutes = new Map<string, ParsedRoute>()
/** A bound on that memo, since `pageKey` takes any route a caller writes. */
const MAX_PARSED_ROUTES = 1000

/** The segments and params of a route (`/posts/[slug]`), parsed once per route. */
export function parseRoute(route: string): ParsedRoute {
  let parsed = parsedRoutes.get(route)
  if (parsed !== undefined) return parsed
  const segments = route
    .split('/')
    .filter((segment) => segment !== '')
    .map(parseSegment)
  parsed = { route, segments, params: segments.flatMap((segment) => segment.filter((part): part is RouteParam => typeof part !== 'string')) }
  if (parsedRoutes.size >= MAX_PARSED_ROUTES) parsedRoutes.clear()
  parsedRoutes.set(route, parsed)
  return parsed
}

function parseSegment(segment: string): RouteSegment {
  const whole = WHOLE_SEGMENT_PARAM.exec(segment)
  if (whole !== null) {
    const [, optionalRest, rest, optional, colon, modifier = ''] = whole
    if (optionalRest !== undefined) return [{ name: optionalRest, optional: true, many: true }]
    if (rest !== undefined) return [{ name: rest, optional: false, many: true }]
    if (optional !== undefined) return [{ name: optional, optional: true, many: false }]
    return [{ name: colon!, optional: modifier === '?' || modifier === '*', many: modifier === '*' || modifier === '+' }]
  }
  const parts: (string | RouteParam)[] = []
  let last = 0
  for (const match of segment.matchAll(INLINE_PARAM)) {
    if (match.index > last) parts.push(segment.slice(last, match.index))
    parts.push({ name: match[1]!, optional: false, many: false })
    last = match.index + match[0].length
  }
  if (last < segment.length) parts.push(segment.slice(last))
  return parts
}

/**
 * The path of a route with its params filled in (`/posts/[slug]`, `{ slug: 'hi there' }` ->
 * `/posts/hi%20there`): a value is a string (or number), a list for a param of many segments;
 * each segment is percent-encoded, so no value can add a `/` of its own. A missing param, a list
 * for a one-segment param, or a segment of "." or ".." (which would name another page) is a
 * TypeError that names the route and the param, prefixed with `caller`.
 */
export function fillRoute(route: ParsedRoute | string, params: Readonly<Record<string, unknown>>, caller = 'fillRoute'): string {
  const parsed = typeof route === 'string' ? parseRoute(route) : route
  let path = ''
  for (const segment of parsed.segments) {
    let filled = ''
    for (const part of segment) filled += typeof part === 'string' ? part : fillParam(parsed.route, part, params[part.name], caller)
    if (filled !== '') path += `/${filled}`
  }
  return path === '' ? '/' : path
}

function fillParam(route: string, param: RouteParam, value: unknown, caller: string): string {
  const parts = value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? (value as unknown[]) : [value]
  if (parts.length === 0 && !param.optional) throw new TypeError(`${caller}: route "${route}" needs params.${param.name}, but the context has none`)
  if (parts.length > 1 && !param.many) throw new TypeError(`${caller}: params.${param.name} of route "${route}" must be one value, got ${parts.length}`)
  return parts
    .map((part) => {
      const text = String(part)
      // "." or ".." would make the path name another page (`/posts/..` is `/`).
      if (text === '.' || text === '..') throw new TypeError(`${caller}: params.${param.name} of route "${route}" is "${text}", which no page path can hold`)
      return encodeURIComponent(text)
    })
    .join('/')
}

/**
 * The route in file-route form, as Vercel names functions: `/posts/:slug` -> `/posts/[slug]`,
 * `:lang?` -> `[[lang]]`, `:path+` -> `[...path]`, `:path*` -> `[[...path]]` (a `?` or `*` has no
 * place in a path).
 */
export function fileRoute(route: ParsedRoute | string): string {
  const parsed = typeof route === 'string' ? parseRoute(route) : route
  const written = parsed.segments.map((segment) => segment.map((part) => (typeof part === 'string' ? part : bracketed(part))).join(''))
  return `/${written.join('/')}`
}

function bracketed({ name, optional, many }: RouteParam): string {
  const inner = many ? `...${name}` : name
  return optional ? `[[${inner}]]` : `[${inner}]`
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The regular expression (as source) of the paths a route answers, one group per param in
 * order; a trailing slash is allowed. `/docs/[[...path]]` -> `^/docs(?:/(.+?))?/?$`.
 */
export function routeRegExpSource(route: ParsedRoute | string): string {
  const parsed = typeof route === 'string' ? parseRoute(route) : route
  let source = ''
  for (const segment of parsed.segments) {
    const only = segment.length === 1 ? segment[0] : undefined
    if (only !== undefined && typeof only !== 'string') {
      const group = only.many ? '(.+?)' : '([^/]+?)'
      // The slash belongs to an optional param: /docs matches, /docsxyz does not.
      source += only.optional ? `(?:/${group})?` : `/${group}`
      continue
    }
    source += `/${segment.map((part) => (typeof part === 'string' ? escapeRegExp(part) : '([^/]+?)')).join('')}`
  }
  return `^${source}/?$`
}

const compiled = new WeakMap<ParsedRoute, RegExp>()

/**
 * The params of a path the route answers (as written in the path, not decoded; a param of many
 * segments as a list, an absent optional one left out), or undefined when it answers another.
 */
export function matchRoute(route: ParsedRoute | string, path: string): Record<string, string | string[]> | undefined {
  const parsed = typeof route === 'string' ? parseRoute(route) : route
  let pattern = compiled.get(parsed)
  if (pattern === undefined) compiled.set(parsed, (pattern = new RegExp(routeRegExpSource(parsed))))
  const match = pattern.exec(path)
  if (match === null) return undefined
  const params: Record<string, string | string[]> = {}
  parsed.params.forEach((param, index) => {
    const value = match[index + 1]
    if (value !== undefined) params[param.name] = param.many ? value.split('/') : value
  })
  return params
}

/** How general a route is, compared in order: catch-alls that may be empty, catch-alls, optional params, then fewer literal segments. */
function generality({ segments, params }: ParsedRoute): number[] {
  const literal = segments.filter((segment) => segment.every((part) => typeof part === 'string')).length
  return [params.filter((param) => param.many && param.optional).length, params.filter((param) => param.many).length, params.filter((param) => param.optional).length, -literal]
}

/**
 * Sorts routes most specific first, so a path goes to the first route that matches it, as the
 * frameworks route it: `/docs/intro`, `/docs/[slug]`, `/[[lang]]/docs/intro`, `/docs/[...path]`,
 * `/docs/[[...path]]`.
 */
export function bySpecificity(a: ParsedRoute, b: ParsedRoute): number {
  const [x, y] = [generality(a), generality(b)]
  return x.map((value, i) => value - y[i]!).find((difference) => difference !== 0) ?? 0
}
