/**
 * What a data flow reports, and when: a value used where the compiler cannot see what reads it
 * (returned, handed to a package, rendered) is reported by what it exposes; a read is reported
 * unless it is made ahead of the walk (the walk reports it where it stands) or vouched for.
 *
 *   getUser(request)     the request handed whole to code we cannot follow: per-visitor data
 *   fetch(request.url)   the URL handed on: a read of the query string
 *   if (locals.user)     a test of per-visitor data is a read of it
 */
import type { Expression, Node } from '@babel/types'
import { carriesQuery, exposureOf, isLeaf, type Shape } from '../shapes.js'
import type { Flow, Frame } from './frames.js'

/** A value used whole, where we cannot see what reads it. */
export function use(flow: Flow, shape: Shape | undefined, node: Node, frame: Frame, call?: Node): void {
  // Inside a vouched-for expression, what is handed on is the user's call (explicit reads still count).
  if (!flow.reporting || shape === undefined || flow.safeDepth > 0) return
  const exposure = exposureOf(shape)
  if (shape.kind === 'object' && call === undefined && exposure) {
    // An object literal used whole (returned, say): point at the member that carries it, where it was written.
    const carrier = Object.keys(shape.members).find((member) => exposureOf(shape.members[member]) === exposure)!
    const at = shape.at?.[carrier]
    if (at !== undefined) return use(flow, shape.members[carrier], at, frame)
  }
  callsBack(flow, shape, node, frame)
  if (exposure === 'visitor') {
    const leaf = firstLeaf(shape, 'visitor')
    if (leaf) visitorRead(flow, node, leaf, frame)
    else if (flow.safeDepth === 0) flow.options.reporter.handedWhole(node, shape, call, frame.via)
  }
  // The request handed on carries its URL: a read of the query too.
  if (carriesQuery(shape)) queryRead(flow, node, undefined, frame, call)
}

/**
 * Functions of the module handed to code we cannot see (`ids.map(getPrice)`, an options object's
 * `queryFn`), which may call them: each is walked as if called, with arguments we do not know.
 */
function callsBack(flow: Flow, shape: Shape, node: Node, frame: Frame, seen?: Set<Shape>): void {
  if (shape.kind === 'local') {
    flow.follow(shape.fn, shape.scope, [], node, frame)
    return
  }
  if (shape.kind !== 'union' && shape.kind !== 'promise' && shape.kind !== 'object') return // holds no function
  if (seen?.has(shape)) return
  seen = (seen ?? new Set()).add(shape)
  if (shape.kind === 'union') for (const member of shape.shapes) callsBack(flow, member, node, frame, seen)
  else if (shape.kind === 'promise') callsBack(flow, shape.of, node, frame, seen)
  else if (shape.kind === 'object') for (const member of Object.values(shape.members)) callsBack(flow, member, node, frame, seen)
}

export function visitorRead(flow: Flow, node: Node, shape: Extract<Shape, { kind: 'visitor' }>, frame: Frame): void {
  if (flow.reporting && flow.safeDepth === 0) flow.options.reporter.visitorRead(node, shape, frame.via)
}

export function queryRead(flow: Flow, node: Node, name: string | undefined, frame: Frame, call?: Node): void {
  if (flow.reporting) flow.options.reporter.queryRead(call ?? node, name, frame.via)
}

/** A condition: whether an object is there reads nothing of it; a per-visitor or query value it reads. */
export function test(flow: Flow, node: Expression, shape: Shape | undefined, frame: Frame): void {
  if (isLeaf(shape) || (shape?.kind === 'union' && shape.shapes.some(isLeaf))) use(flow, shape, node, frame)
}
function firstLeaf(shape: Shape | undefined, kind: 'visitor'): Extract<Shape, { kind: 'visitor' }> | undefined {
  if (shape?.kind === kind) return shape
  if (shape?.kind === 'union') for (const member of shape.shapes) if (member.kind === kind) return member
  if (shape?.kind === 'promise') return firstLeaf(shape.of, kind)
  return undefined
}
