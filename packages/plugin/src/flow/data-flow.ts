/**
 * Follows a page's request-like inputs through the code that loads its data, by binding, and
 * reports what that code reads of them. It knows no framework: the inputs and what module
 * exports mean come as shapes from the framework tables; what is an error is checks.ts's call.
 *
 *   export async function loader(args) {        args      = the loader arguments (the input)
 *     const r = args.request                     r         = the request
 *     const { sort } = await searchParams        -> query read "sort"
 *     const user = await getUser(r)              -> the request handed whole to code we cannot see
 *     return json({ user })                      -> a returned Response
 *   }
 *
 * Values flow through declarations, destructuring, assignments, `await`, conditionals, object
 * literals, and into calls of this module's own functions and of the app's other modules (followed
 * into their bodies, with the arguments' shapes: app-modules.ts finds them). A value reaching
 * anything else (a call we cannot see into, a template string, a return) is used whole. Only the
 * data code and the functions it calls are walked.
 *
 * The walk is written by what it handles, in this folder: statements, expressions, calls, the
 * values of names (values.ts), patterns and reports, around one context (frames.ts).
 */
import type { Identifier, Statement } from '@babel/types'
import type { FunctionNode, Scope } from '../scope.js'
import type { Shape } from '../shapes.js'
import { call, follow } from './calls.js'
import { ahead, expression, generic, markedSafe, member, quietMember } from './expressions.js'
import { Frame, scopesOf, type Flow, type FlowOptions } from './frames.js'
import { along, destructure } from './patterns.js'
import { queryRead, test, use, visitorRead } from './reports.js'
import { classBody, statement, walkFunction } from './statements.js'
import { bindingShape, classShape, importShape, paramShape } from './values.js'

export type { FlowOptions, FlowReporter } from './frames.js'

/** The context of one walk, its operations bound to it. */
function createFlow(options: FlowOptions): Flow {
  const flow: Flow = {
    options,
    reporting: true,
    safeDepth: 0,
    following: [],
    followed: new Map(),
    evaluatingBindings: new Set(),
    callees: new WeakSet(),
    onReturn: undefined,
    returnsToCaller: false,
    exportsResolving: new Set(),
    namespaces: new Map(),
    statement: (node, scope, frame) => statement(flow, node, scope, frame),
    walkFunction: (fn, scope, frame, onReturn, returnsToCaller) => walkFunction(flow, fn, scope, frame, onReturn, returnsToCaller),
    classBody: (node, scope, frame) => classBody(flow, node, scope, frame),
    expression: (node, scope, frame) => expression(flow, node, scope, frame),
    ahead: (node, scope, frame) => ahead(flow, node, scope, frame),
    member: (shape, name, node, frame) => member(flow, shape, name, node, frame),
    quietMember: (shape, name, frame) => quietMember(flow, shape, name, frame),
    generic: (node, scope, frame) => generic(flow, node, scope, frame),
    markedSafe: (node) => markedSafe(flow, node),
    call: (node, scope, frame) => call(flow, node, scope, frame),
    follow: (fn, scope, args, at, frame, receiver) => follow(flow, fn, scope, args, at, frame, receiver),
    bindingShape: (binding, frame) => bindingShape(flow, binding, frame),
    paramShape,
    classShape: (node, scope) => classShape(flow, node, scope),
    importShape: (source, imported, importer, frame) => importShape(flow, source, imported, importer, frame),
    destructure: (pattern, shape, scope, frame, from) => destructure(flow, pattern, shape, scope, frame, from),
    along: (shape, path, scope, frame) => along(flow, shape, path, scope, frame),
    use: (shape, node, frame, at) => use(flow, shape, node, frame, at),
    test: (node, shape, frame) => test(flow, node, shape, frame),
    visitorRead: (node, shape, frame) => visitorRead(flow, node, shape, frame),
    queryRead: (node, name, frame, at) => queryRead(flow, node, name, frame, at),
  }
  return flow
}

export class DataFlow {
  readonly #flow: Flow

  constructor(options: FlowOptions) {
    this.#flow = createFlow(options)
  }

  /** Walks a loader: `input` is the shape of its first argument; its returns are reported. */
  loader(fn: FunctionNode, input: Shape, scope: Scope): void {
    const flow = this.#flow
    walkFunction(flow, fn, scope, new Frame(undefined, fn, [input], []), (node, shape) => flow.options.reporter.returned(node, shape))
  }

  /** Walks a function cached with a pragma: its arguments are data, so only what it calls can read the visitor. */
  cachedFunction(fn: FunctionNode, scope: Scope): void {
    const flow = this.#flow
    walkFunction(flow, fn, scope, new Frame(undefined, fn, [], []), (node, shape) => flow.options.reporter.returned(node, shape))
  }

  /**
   * Walks a data section (statements of a page function, or a frontmatter) in `scope`; `fn` is
   * the page function whose first parameter is `input`, if any. The section's `returned`
   * bindings are what gets cached: each is used whole.
   */
  section(statements: readonly Statement[], scope: Scope, fn: FunctionNode | undefined, input: Shape, returned: readonly Identifier[]): void {
    const flow = this.#flow
    const frame = new Frame(undefined, fn, [input], [])
    scopesOf(flow, scope).collectAssignments(statements, scope)
    fn?.params.forEach((param, index) => destructure(flow, param, paramShape(fn, index, frame), scope, frame))
    const saved = flow.onReturn
    flow.onReturn = undefined
    for (const each of statements) statement(flow, each, scope, frame)
    flow.onReturn = saved
    for (const identifier of returned) {
      const binding = scope.lookup(identifier.name)
      if (binding === undefined) continue
      // `const ip = Astro.clientAddress` is reported where the value comes from.
      const at = binding.source.type === 'declarator' && binding.path.length === 0 ? binding.source.declarator.init : undefined
      use(flow, bindingShape(flow, binding, frame), at ?? identifier, frame)
    }
  }
}
