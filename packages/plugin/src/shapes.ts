/**
 * What the analysis knows about a value: where it came from and what reading it means. The
 * framework tables (frameworks/*.ts) describe their loaders' inputs and their modules' exports
 * with these; the analysis (flow/data-flow.ts) follows them through the page's code.
 *
 *   event            object   { locals: visitor, url: URL object, params: (not tracked), ... }
 *   event.locals     visitor  any use is a per-visitor read
 *   url.searchParams query    `.get('q')` reads "q"; handing it on reads the whole query
 *   json             function returns a response: a cached loader must not return it
 *   notFound         function returns never: `return notFound()` is a throw
 */
import type { Node } from '@babel/types'
import type { ErrorCode } from './diagnostics.js'
import type { FunctionNode, Scope } from './scope.js'

/** What code we cannot follow may read from a value handed to it whole. */
export type Exposure = 'visitor' | 'query'

export type QueryStyle =
  | 'text' // a string holding the query: url.search, url.href
  | 'url-text' // a URL string: request.url (`new URL()` of it is a URL object)
  | 'search-params' // URLSearchParams: .get('name') reads one name
  | 'record' // { name: value }: Next's searchParams, getServerSideProps' query, TanStack's deps

export type Shape =
  /**
   * An object some of whose members are tracked; `whole` is what handing it on exposes. An object
   * literal of the page's code keeps where each member's value is written (`at`), for messages.
   */
  | { kind: 'object'; label: string; members: Readonly<Record<string, Shape>>; whole?: Exposure; at?: Readonly<Record<string, Node>>; list?: true }
  /**
   * Per-visitor data (cookies, headers, session, locals, client address): any use is a leak.
   * `why`, `fix` and `code` replace the error's usual reason, fix and code (RV201), for data that
   * differs per use rather than per visitor (an Astro component's props).
   */
  | { kind: 'visitor'; label: string; why?: string; fix?: string; code?: ErrorCode }
  /** The query string, or a part of it. */
  | { kind: 'query'; label: string; style: QueryStyle }
  /** `searchParams.get`: a call with a literal name reads that name. */
  | { kind: 'query-get'; label: string }
  | FunctionShape
  /** A Response (or React Router's `data()`): not data, cannot be cached. */
  | { kind: 'response'; label: string; throwIt: boolean; wraps?: string }
  /** What a call that never returns gives back: `return notFound()` is a throw. */
  | { kind: 'never' }
  | { kind: 'promise'; of: Shape }
  | { kind: 'union'; shapes: readonly Shape[] }
  /** A function of this module: a call of it is followed into its body. */
  | { kind: 'local'; fn: FunctionNode; scope: Scope }

export interface FunctionShape {
  kind: 'function'
  label: string
  /** What a call returns. */
  returns?: Shape
  /** What `new` of it gives: `new URL(x)` of a URL is a URL object, `new Response()` a response. */
  constructs?: 'url' | 'search-params' | Shape
  /** Members of the function object itself (`Response.json`). */
  members?: Readonly<Record<string, Shape>>
  /** What the function reads of its arguments, when we know (the default: anything). */
  reads?: 'nothing' | { queryNames: readonly string[] } | 'query'
  /** A call reads per-visitor data by itself (an auth helper that reads the session cookie): what it reads. */
  callReads?: string
}

export const visitor = (label: string): Extract<Shape, { kind: 'visitor' }> => ({ kind: 'visitor', label })
export const query = (label: string, style: QueryStyle): Shape => ({ kind: 'query', label, style })
export const object = (label: string, members: Record<string, Shape>, whole?: Exposure): Shape => ({ kind: 'object', label, members, whole })
export const fn = (label: string, details: Omit<FunctionShape, 'kind' | 'label'> = {}): FunctionShape => ({ kind: 'function', label, ...details })
export const response = (label: string, throwIt = false): Shape => ({ kind: 'response', label, throwIt })
/** Data wrapped with a status and headers for the framework (React Router's `data()`): not a Response, not plain data either. */
export const wrapsData = (label: string, wraps: string): FunctionShape => fn(label, { returns: { kind: 'response', label, throwIt: false, wraps } })
export const NEVER: Shape = { kind: 'never' }
/** A call that never returns (it throws): `notFound()`, SvelteKit's `error()`. */
export const throws = (label: string): FunctionShape => fn(label, { returns: NEVER })
/** A function that returns a Response: React Router's `json()`, `redirect()`. */
export const respond = (label: string, throwIt = false): FunctionShape => fn(label, { returns: response(label, throwIt) })

/** The union of shapes, flattened; undefined (not tracked) members drop out. */
export function union(shapes: readonly (Shape | undefined)[]): Shape | undefined {
  // Most unions the walk makes hold one tracked shape or none: no arrays for those.
  let only: Shape | undefined
  let tracked = 0
  for (const shape of shapes) {
    if (shape === undefined || shape === only) continue
    only = shape
    tracked++
  }
  if (tracked <= 1 && only?.kind !== 'union') return only
  const flat = shapes.flatMap((shape) => (shape === undefined ? [] : shape.kind === 'union' ? shape.shapes : [shape]))
  const unique = [...new Set(flat)]
  if (unique.length <= 1) return unique[0]
  return { kind: 'union', shapes: unique }
}

/** What handing a value whole to code we cannot follow exposes. */
export function exposureOf(shape: Shape | undefined): Exposure | undefined {
  switch (shape?.kind) {
    case 'visitor':
      return 'visitor'
    case 'query':
    case 'query-get':
      return 'query'
    case 'object':
      return shape.whole
    case 'promise':
      return exposureOf(shape.of)
    case 'union': {
      const exposures = shape.shapes.map(exposureOf)
      return exposures.includes('visitor') ? 'visitor' : exposures.includes('query') ? 'query' : undefined
    }
    default:
      return undefined
  }
}

/** Whether code handed the value whole could read the query string through it (the request's URL). */
export function carriesQuery(shape: Shape | undefined, seen = new Set<Shape>()): boolean {
  if (shape === undefined || seen.has(shape)) return false
  seen.add(shape)
  if (exposureOf(shape) === 'query') return true
  if (shape.kind === 'object') return Object.values(shape.members).some((member) => carriesQuery(member, seen))
  if (shape.kind === 'union') return shape.shapes.some((member) => carriesQuery(member, seen))
  if (shape.kind === 'promise') return carriesQuery(shape.of, seen)
  return false
}

/**
 * Arguments as a list (`arguments`, a rest parameter `...args`): members by index, and a method
 * of it (`args.map(fn)`) hands every item on.
 */
export function argumentList(items: readonly (Shape | undefined)[]): Shape | undefined {
  const members: Record<string, Shape> = {}
  items.forEach((shape, index) => shape && (members[index] = shape))
  const shape = objectLiteral(members, {})
  return shape?.kind === 'object' ? { ...shape, label: 'the arguments', list: true } : shape
}

/** The shape of an object literal: its tracked members, exposing what the most exposing one does. */
export function objectLiteral(members: Record<string, Shape>, at: Record<string, Node>): Shape | undefined {
  let whole: Exposure | undefined
  let empty = true
  for (const name in members) {
    empty = false
    const exposure = exposureOf(members[name])
    if (exposure === 'visitor' || (exposure === 'query' && whole === undefined)) whole = exposure
  }
  return empty ? undefined : { kind: 'object', label: 'an object', members, whole, at }
}

/** What awaiting a value gives: what a promise holds; anything else as it is. */
export function awaited(shape: Shape | undefined): Shape | undefined {
  if (shape?.kind === 'promise') return shape.of
  if (shape?.kind === 'union') return union(shape.shapes.map(awaited))
  return shape
}

/** Per-visitor data and the query are leaves: any read of them is a read. */
export function isLeaf(shape: Shape | undefined): shape is Extract<Shape, { kind: 'visitor' | 'query' }> {
  return shape?.kind === 'visitor' || shape?.kind === 'query'
}
