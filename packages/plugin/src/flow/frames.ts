/**
 * The context of one data-flow walk (data-flow.ts): what it was given, what it keeps while it
 * walks, and its operations, each written in the module of its kind (statements, expressions,
 * calls, values, patterns, reports) and reached through this one object, so those modules never
 * import one another. And the frames: one per function walked with the shapes of its arguments.
 *
 *   loader(args)                       frame 1: loader, args = [the loader arguments]
 *     getTheme(args.request)           frame 2: getTheme, args = [the request], via [getTheme(...)]
 */
import type { CallExpression, Expression, Node, NewExpression, OptionalCallExpression, Statement } from '@babel/types'
import type { AppModules, SourceModule } from '../app-modules.js'
import type { Framework } from '../frameworks/index.js'
import type { PatternStep } from '../patterns.js'
import type { Binding, FunctionNode, Scope } from '../scope.js'
import type { Scopes } from '../scopes.js'
import type { Shape } from '../shapes.js'

/** What the walk finds; `via` lists the calls of local functions that led to it, outermost first. */
export interface FlowReporter {
  /** Per-visitor data read: `locals.user`, `cookies()`, `{ user } = locals`. */
  visitorRead(node: Node, shape: Extract<Shape, { kind: 'visitor' }>, via: readonly Node[]): void
  /** An object carrying per-visitor data handed whole to code we cannot follow: `getUser(request)`. */
  handedWhole(node: Node, shape: Shape, call: Node | undefined, via: readonly Node[]): void
  /** A read of the query string; `name` when the code names the parameter. */
  queryRead(node: Node, name: string | undefined, via: readonly Node[]): void
  /** A value the loader returns (what would be cached). */
  returned(node: Node, shape: Shape | undefined): void
}

export interface FlowOptions {
  framework: Framework
  /** The page and the app's modules it imports: their scopes, and their `revalidate-safe` marks. */
  modules: AppModules
  reporter: FlowReporter
  /** Exported names of imported helpers that read the visitor's request by themselves. */
  requestBound: ReadonlySet<string>
}

export type Call = CallExpression | OptionalCallExpression | NewExpression
export type ClassNode = Extract<Node, { type: 'ClassDeclaration' | 'ClassExpression' }>
export type OnReturn = (node: Node, shape: Shape | undefined) => void

/** A chain of calls into local functions deeper than this is not followed: what it is handed counts as used. */
export const MAX_DEPTH = 12

/** A walk of a function already made with these arguments: its result stands for another. */
interface Followed {
  args: readonly (Shape | undefined)[]
  reporting: boolean
  receiver: Shape | undefined
  result: Shape | undefined
}

export interface Flow {
  readonly options: FlowOptions
  /** Off while a binding's value is worked out ahead of the walk: the walk reports it when it gets there. */
  reporting: boolean
  /** Inside an expression marked `revalidate-safe`: per-visitor reads there are the user's call. */
  safeDepth: number
  /** The functions being walked, innermost last: a recursive call is not followed again. */
  readonly following: FunctionNode[]
  readonly followed: Map<FunctionNode, Followed[]>
  readonly evaluatingBindings: Set<Binding>
  /** Callees of the calls evaluated: a method of per-visitor data is reported at its object. */
  readonly callees: WeakSet<Node>
  /** Where the `return`s of the function being walked go. */
  onReturn: OnReturn | undefined
  /** Whether those returns go back to a call we follow (whose caller then uses them), rather than to code we cannot see. */
  returnsToCaller: boolean
  /** Exports being worked out (`module id#name`): re-exports in a cycle of modules end there. */
  readonly exportsResolving: Set<string>
  /** Namespaces of the app's modules (`import * as auth`), each made once. */
  readonly namespaces: Map<SourceModule, Shape | undefined>

  // statements.ts
  statement(node: Statement, scope: Scope, frame: Frame): void
  /** A function's body, with its parameters bound to the argument shapes of `frame` (if any). */
  walkFunction(fn: FunctionNode, scope: Scope, frame: Frame, onReturn: OnReturn | undefined, returnsToCaller?: boolean): void
  classBody(node: ClassNode, scope: Scope, frame: Frame): void
  // expressions.ts
  expression(node: Expression, scope: Scope, frame: Frame): Shape | undefined
  /** The shape of an expression evaluated ahead of the walk (for a binding): without reports. */
  ahead(node: Expression, scope: Scope, frame: Frame): Shape | undefined
  member(shape: Shape | undefined, name: string | undefined, node: Node | undefined, frame: Frame): Shape | undefined
  quietMember(shape: Shape | undefined, name: string | undefined, frame: Frame): Shape | undefined
  generic(node: Node, scope: Scope, frame: Frame): void
  /** Whether a `revalidate-safe` comment covers this expression. */
  markedSafe(node: Expression): boolean
  // calls.ts
  call(node: Call, scope: Scope, frame: Frame): Shape | undefined
  follow(fn: FunctionNode, scope: Scope, args: readonly (Shape | undefined)[], call: Node, frame: Frame, receiver?: Shape): Shape | undefined
  // values.ts
  bindingShape(binding: Binding, frame: Frame): Shape | undefined
  paramShape(fn: FunctionNode, index: number, frame: Frame): Shape | undefined
  classShape(node: ClassNode, scope: Scope): Shape | undefined
  importShape(source: string, imported: string, importer: SourceModule, frame: Frame): Shape | undefined
  // patterns.ts
  destructure(pattern: Node, shape: Shape | undefined, scope: Scope, frame: Frame, from?: Node): void
  along(shape: Shape | undefined, path: readonly PatternStep[], scope: Scope, frame: Frame): Shape | undefined
  // reports.ts
  /** A value used whole, where we cannot see what reads it. */
  use(shape: Shape | undefined, node: Node, frame: Frame, call?: Node): void
  /** A condition: whether an object is there reads nothing of it; a per-visitor or query value it reads. */
  test(node: Expression, shape: Shape | undefined, frame: Frame): void
  visitorRead(node: Node, shape: Extract<Shape, { kind: 'visitor' }>, frame: Frame): void
  queryRead(node: Node, name: string | undefined, frame: Frame, call?: Node): void
}

/** The scopes of the module a scope is in. */
export function scopesOf(flow: Flow, scope: Scope): Scopes {
  return flow.options.modules.ofScope(scope).scopes
}

/** What `Frame.memo` gives for an expression not evaluated yet. */
export const NOT_EVALUATED: unique symbol = Symbol('not evaluated')

/** One function being walked with the shapes of its arguments (the data function, or one it calls). */
export class Frame {
  /** Shapes of expressions evaluated here, with reports (`reported`) or without (`quiet`). */
  readonly reported = new Map<Node, Shape | undefined>()
  readonly quiet = new Map<Node, Shape | undefined>()

  constructor(
    readonly parent: Frame | undefined,
    /** The function this frame walks, with the shapes of its arguments. */
    readonly owner: FunctionNode | undefined,
    readonly args: readonly (Shape | undefined)[],
    /** The calls that led here. */
    readonly via: readonly Node[],
    /** What `this` is in the function walked: the object a method was called on (`auth.user()`: `auth`). */
    readonly receiver?: Shape,
  ) {}

  /** `this` here: the receiver of the nearest function with a `this` of its own (arrows have none). */
  thisShape(): Shape | undefined {
    for (let frame: Frame | undefined = this; frame; frame = frame.parent) {
      if (frame.owner && frame.owner.type !== 'ArrowFunctionExpression') return frame.receiver
    }
    return undefined
  }

  /** The shapes of the arguments `fn` was called with, in this frame or one around it. */
  argsOf(fn: FunctionNode): readonly (Shape | undefined)[] | undefined {
    for (let frame: Frame | undefined = this; frame; frame = frame.parent) if (frame.owner === fn) return frame.args
    return undefined
  }

  /** An earlier evaluation of `node`; one inside this frame's own function counts only from this frame. */
  memo(node: Node, reporting: boolean): Shape | undefined | typeof NOT_EVALUATED {
    for (let frame: Frame | undefined = this; frame; frame = frame.parent) {
      if (frame.reported.has(node)) return frame.reported.get(node)
      if (!reporting && frame.quiet.has(node)) return frame.quiet.get(node)
      if (frame.owner && node.start! >= frame.owner.start! && node.end! <= frame.owner.end!) break
    }
    return NOT_EVALUATED
  }
}
