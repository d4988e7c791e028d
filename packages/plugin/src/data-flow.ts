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
 */
import { isExpression, isReferenced, isStatement, VISITOR_KEYS, type CallExpression, type Expression, type Identifier, type Node, type NewExpression, type OptionalCallExpression, type Program, type Statement } from '@babel/types'
import { isReadable, type AppModules, type SourceModule, type UnreadableModule } from './app-modules.js'
import { globalShape, importedShape, type Framework } from './frameworks/index.js'
import { isFunctionNode, keyName, TYPE_KEYS, type Binding, type FunctionNode, type PatternStep, type Scope, type Scopes } from './scope.js'
import { argumentList, carriesQuery, exposureOf, fn, objectLiteral, query, union, visitor, type Shape } from './shapes.js'
import { URL_OBJECT } from './frameworks/web.js'

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

type Call = CallExpression | OptionalCallExpression | NewExpression

/** A chain of calls into local functions deeper than this is not followed: what it is handed counts as used. */
const MAX_DEPTH = 12

/** One function being walked with the shapes of its arguments (the data function, or one it calls). */
class Frame {
  /** Shapes of expressions evaluated here, with reports (`reported`) or without (`quiet`). */
  readonly reported = new Map<Node, Shape | undefined>()
  readonly quiet = new Map<Node, Shape | undefined>()
  readonly args: ReadonlyMap<FunctionNode, readonly (Shape | undefined)[]>

  constructor(
    readonly parent: Frame | undefined,
    /** The function this frame walks, with the shapes of its arguments. */
    readonly owner: FunctionNode | undefined,
    args: readonly (Shape | undefined)[],
    /** The calls that led here. */
    readonly via: readonly Node[],
    /** What `this` is in the function walked: the object a method was called on (`auth.user()`: `auth`). */
    readonly receiver?: Shape,
  ) {
    this.args = new Map(owner ? [[owner, args]] : [])
  }

  /** `this` here: the receiver of the nearest function with a `this` of its own (arrows have none). */
  thisShape(): Shape | undefined {
    for (let frame: Frame | undefined = this; frame; frame = frame.parent) {
      if (frame.owner && frame.owner.type !== 'ArrowFunctionExpression') return frame.receiver
    }
    return undefined
  }

  argsOf(fn: FunctionNode): readonly (Shape | undefined)[] | undefined {
    for (let frame: Frame | undefined = this; frame; frame = frame.parent) {
      const args = frame.args.get(fn)
      if (args) return args
    }
    return undefined
  }

  /** An earlier evaluation of `node`; one inside this frame's own function counts only from this frame. */
  memo(node: Node, reporting: boolean): { found: boolean; shape: Shape | undefined } {
    for (let frame: Frame | undefined = this; frame; frame = frame.parent) {
      if (frame.reported.has(node)) return { found: true, shape: frame.reported.get(node) }
      if (!reporting && frame.quiet.has(node)) return { found: true, shape: frame.quiet.get(node) }
      if (frame.owner && node.start! >= frame.owner.start! && node.end! <= frame.owner.end!) break
    }
    return { found: false, shape: undefined }
  }
}

export class DataFlow {
  readonly #options: FlowOptions
  /** Off while a binding's value is worked out ahead of the walk: the walk reports it when it gets there. */
  #reporting = true
  /** Inside an expression marked `revalidate-safe`: per-visitor reads there are the user's call. */
  #safeDepth = 0
  readonly #following: FunctionNode[] = []
  readonly #followed = new Map<FunctionNode, { args: readonly (Shape | undefined)[]; reporting: boolean; receiver: Shape | undefined; result: Shape | undefined }[]>()
  readonly #evaluatingBindings = new Set<Binding>()
  /** Callees of the calls evaluated: a method of per-visitor data is reported at its object. */
  readonly #callees = new WeakSet<Node>()
  /** Where the `return`s of the function being walked go. */
  #onReturn: ((node: Node, shape: Shape | undefined) => void) | undefined
  /** Whether those returns go back to a call we follow (whose caller then uses them), rather than to code we cannot see. */
  #returnsToCaller = false
  /** Exports being worked out (`module id#name`): re-exports in a cycle of modules end there. */
  readonly #exportsResolving = new Set<string>()
  /** Namespaces of the app's modules (`import * as auth`), each made once. */
  readonly #namespaces = new Map<SourceModule, Shape | undefined>()

  constructor(options: FlowOptions) {
    this.#options = options
  }

  /** Walks a loader: `input` is the shape of its first argument; its returns are reported. */
  loader(fn: FunctionNode, input: Shape, scope: Scope): void {
    const frame = new Frame(undefined, fn, [input], [])
    this.#walkFunction(fn, scope, frame, (node, shape) => this.#options.reporter.returned(node, shape))
  }

  /**
   * Walks a data section (statements of a page function, or a frontmatter) in `scope`; `fn` is
   * the page function whose first parameter is `input`, if any. The section's `returned`
   * bindings are what gets cached: each is used whole.
   */
  section(statements: readonly Statement[], scope: Scope, fn: FunctionNode | undefined, input: Shape, returned: readonly Identifier[]): void {
    const frame = new Frame(undefined, fn, [input], [])
    this.#scopes(scope).collectAssignments(statements, scope)
    fn?.params.forEach((param, index) => this.#destructure(param, this.#paramShape(fn, index, frame), scope, frame))
    const saved = this.#onReturn
    this.#onReturn = undefined
    for (const statement of statements) this.#statement(statement, scope, frame)
    this.#onReturn = saved
    for (const identifier of returned) {
      const binding = scope.lookup(identifier.name)
      if (binding === undefined) continue
      // `const ip = Astro.clientAddress` is reported where the value comes from.
      const at = binding.source.type === 'declarator' && binding.path.length === 0 ? binding.source.declarator.init : undefined
      this.#use(this.#bindingShape(binding, frame), at ?? identifier, frame)
    }
  }

  /** The scopes of the module a scope is in. */
  #scopes(scope: Scope): Scopes {
    return this.#options.modules.ofScope(scope).scopes
  }

  // --- statements -----------------------------------------------------------------------------

  #statements(statements: readonly Statement[], scope: Scope, frame: Frame): void {
    for (const statement of statements) this.#statement(statement, scope, frame)
  }

  #statement(node: Statement, scope: Scope, frame: Frame): void {
    switch (node.type) {
      case 'VariableDeclaration':
        for (const declarator of node.declarations) {
          const shape = declarator.init ? this.#expression(declarator.init, scope, frame) : undefined
          this.#destructure(declarator.id, shape, scope, frame, declarator.init ?? undefined)
        }
        return
      case 'ExpressionStatement':
        this.#expression(node.expression, scope, frame)
        return
      case 'ReturnStatement': {
        const shape = node.argument ? this.#expression(node.argument, scope, frame) : undefined
        this.#onReturn?.(node, shape)
        if (node.argument && !this.#returnsToCaller) this.#use(shape, node.argument, frame)
        return
      }
      case 'ThrowStatement':
        this.#expression(node.argument, scope, frame) // a thrown value is never cached
        return
      case 'IfStatement':
        this.#test(node.test, this.#expression(node.test, scope, frame), frame)
        this.#statement(node.consequent, scope, frame)
        if (node.alternate) this.#statement(node.alternate, scope, frame)
        return
      case 'BlockStatement':
        this.#statements(node.body, this.#scopes(scope).enter(node, scope), frame)
        return
      case 'ForStatement': {
        const inner = this.#scopes(scope).enter(node, scope)
        if (node.init?.type === 'VariableDeclaration') this.#statement(node.init, inner, frame)
        else if (node.init) this.#use(this.#expression(node.init, inner, frame), node.init, frame)
        for (const part of [node.test, node.update]) if (part) this.#use(this.#expression(part, inner, frame), part, frame)
        this.#statement(node.body, inner, frame)
        return
      }
      case 'ForInStatement':
      case 'ForOfStatement': {
        const inner = this.#scopes(scope).enter(node, scope)
        this.#use(this.#expression(node.right, scope, frame), node.right, frame) // iterating reads it all
        if (node.left.type !== 'VariableDeclaration') this.#expression(node.left as Expression, inner, frame)
        this.#statement(node.body, inner, frame)
        return
      }
      case 'WhileStatement':
      case 'DoWhileStatement':
        this.#test(node.test, this.#expression(node.test, scope, frame), frame)
        this.#statement(node.body, scope, frame)
        return
      case 'TryStatement':
        this.#statement(node.block, scope, frame)
        if (node.handler) {
          const inner = this.#scopes(scope).enter(node.handler, scope)
          this.#statement(node.handler.body, inner, frame)
        }
        if (node.finalizer) this.#statement(node.finalizer, scope, frame)
        return
      case 'SwitchStatement': {
        this.#use(this.#expression(node.discriminant, scope, frame), node.discriminant, frame)
        const inner = this.#scopes(scope).enter(node, scope)
        for (const switchCase of node.cases) {
          if (switchCase.test) this.#use(this.#expression(switchCase.test, inner, frame), switchCase.test, frame)
          this.#statements(switchCase.consequent, inner, frame)
        }
        return
      }
      case 'LabeledStatement':
        this.#statement(node.body, scope, frame)
        return
      case 'FunctionDeclaration':
        this.#walkFunction(node, scope, frame, undefined)
        return
      case 'ClassDeclaration':
        this.#class(node, scope, frame)
        return
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
        if (node.declaration && isStatement(node.declaration)) this.#statement(node.declaration, scope, frame)
        else if (node.declaration) this.#use(this.#expression(node.declaration as Expression, scope, frame), node.declaration, frame)
        return
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
      case 'EmptyStatement':
      case 'DebuggerStatement':
      case 'BreakStatement':
      case 'ContinueStatement':
        return
      default:
        if (node.type.startsWith('TS') || node.type.startsWith('Declare')) return // types: nothing runs
        this.#generic(node, scope, frame)
    }
  }

  /** A function's body, with its parameters bound to the argument shapes of this frame (if any). */
  #walkFunction(fn: FunctionNode, scope: Scope, frame: Frame, onReturn: ((node: Node, shape: Shape | undefined) => void) | undefined, returnsToCaller = false): void {
    // A binding's values are known before the walk reads it: an assignment further down a loop counts.
    this.#scopes(scope).collectAssignments([fn], scope)
    const inner = this.#scopes(scope).enter(fn, scope)
    fn.params.forEach((param, index) => this.#destructure(param, this.#paramShape(fn, index, frame), inner, frame))
    const saved = { onReturn: this.#onReturn, returnsToCaller: this.#returnsToCaller }
    this.#onReturn = onReturn
    this.#returnsToCaller = returnsToCaller
    if (fn.body.type === 'BlockStatement') {
      this.#statements(fn.body.body, inner, frame)
    } else {
      const shape = this.#expression(fn.body, inner, frame)
      onReturn?.(fn.body, shape)
      if (!returnsToCaller) this.#use(shape, fn.body, frame)
    }
    this.#onReturn = saved.onReturn
    this.#returnsToCaller = saved.returnsToCaller
  }

  #class(node: Extract<Node, { type: 'ClassDeclaration' | 'ClassExpression' }>, scope: Scope, frame: Frame): void {
    const inner = this.#scopes(scope).enter(node, scope)
    if (node.superClass) this.#use(this.#expression(node.superClass, scope, frame), node.superClass, frame)
    for (const member of node.body.body) {
      if (member.type === 'ClassMethod' || member.type === 'ClassPrivateMethod') this.#walkFunction(member, inner, frame, undefined)
      else if (member.type === 'StaticBlock') this.#statements(member.body, this.#scopes(scope).enter(member, inner), frame)
      else if ((member.type === 'ClassProperty' || member.type === 'ClassPrivateProperty' || member.type === 'ClassAccessorProperty') && member.value) {
        this.#use(this.#expression(member.value, inner, frame), member.value, frame)
      }
    }
  }

  // --- expressions ----------------------------------------------------------------------------

  #expression(node: Expression, scope: Scope, frame: Frame): Shape | undefined {
    const memo = frame.memo(node, this.#reporting)
    if (memo.found) return memo.shape
    const marked = this.#markedSafe(node)
    if (marked) this.#safeDepth++
    try {
      let shape = this.#evaluate(node, scope, frame)
      // What a vouched-for expression gives back is not per-visitor either (its query still counts).
      if (marked && exposureOf(shape) === 'visitor') shape = undefined
      ;(this.#reporting ? frame.reported : frame.quiet).set(node, shape)
      return shape
    } finally {
      if (marked) this.#safeDepth--
    }
  }

  /**
   * Whether a `revalidate-safe` comment covers this expression: the first call written after the
   * comment (`getShop(context)` of `getShop(context).then(...) || request.headers`), or, when no
   * call starts there, the member chain (`context.shop.id`); never the larger expressions that
   * merely start at the same place.
   */
  #markedSafe(node: Expression): boolean {
    if (!this.#options.modules.ofNode(node).safeStarts.has(node.start!)) return false
    switch (node.type) {
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
        return !callStartsSpine(node.callee, node.start!)
      case 'MemberExpression':
      case 'OptionalMemberExpression':
      case 'Identifier':
        return !callStartsSpine(node, node.start!)
      default:
        return false
    }
  }

  #evaluate(node: Expression, scope: Scope, frame: Frame): Shape | undefined {
    switch (node.type) {
      case 'Identifier':
        return this.#identifier(node, scope, frame)
      case 'ThisExpression':
        return frame.thisShape()
      case 'MemberExpression':
      case 'OptionalMemberExpression': {
        const object = node.object.type === 'Super' ? undefined : this.#expression(node.object, scope, frame)
        const name = node.computed ? keyName(node.property, true) : node.property.type === 'Identifier' ? node.property.name : undefined
        if (node.computed && name === undefined) this.#use(this.#expression(node.property as Expression, scope, frame), node.property, frame)
        return this.#member(object, name, node, frame)
      }
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
        return this.#call(node, scope, frame)
      case 'AwaitExpression':
        return awaited(this.#expression(node.argument, scope, frame))
      case 'ParenthesizedExpression':
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'TSInstantiationExpression':
      case 'TypeCastExpression':
        return this.#expression(node.expression, scope, frame)
      case 'ConditionalExpression':
        this.#test(node.test, this.#expression(node.test, scope, frame), frame)
        return union([this.#expression(node.consequent, scope, frame), this.#expression(node.alternate, scope, frame)])
      case 'LogicalExpression': {
        // `context.user ?? toLogin()`: whether the right side runs depends on the left.
        const left = this.#expression(node.left, scope, frame)
        this.#test(node.left, left, frame)
        return union([left, this.#expression(node.right, scope, frame)])
      }
      case 'SequenceExpression': {
        let last: Shape | undefined
        node.expressions.forEach((expression, index) => {
          last = this.#expression(expression, scope, frame)
          if (index < node.expressions.length - 1) this.#use(last, expression, frame)
        })
        return last
      }
      case 'AssignmentExpression':
        return this.#assignment(node, scope, frame)
      case 'ObjectExpression':
        return this.#objectLiteral(node, scope, frame)
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
        this.#walkFunction(node, scope, frame, undefined)
        return { kind: 'local', fn: node, scope }
      case 'ClassExpression':
        this.#class(node, scope, frame)
        return this.#classShape(node, scope)
      case 'UnaryExpression': {
        const shape = this.#expression(node.argument, scope, frame)
        // `!request` says whether an object is there, not what it holds; `!context.user` (whether the visitor signed in) is a read of it.
        if (node.operator === 'void') return undefined
        if (node.operator === '!' || node.operator === 'typeof') this.#test(node.argument, shape, frame)
        else this.#use(shape, node.argument, frame)
        return undefined
      }
      case 'JSXElement':
      case 'JSXFragment':
        this.#jsx(node, scope, frame)
        return undefined
      default:
        this.#generic(node, scope, frame)
        return undefined
    }
  }

  #identifier(node: Identifier, scope: Scope, frame: Frame): Shape | undefined {
    const binding = scope.lookup(node.name)
    if (binding !== undefined) return this.#bindingShape(binding, frame)
    if (node.name === 'arguments') return this.#arguments(scope, frame)
    return globalShape(this.#options.framework, node.name)
  }

  /** `arguments` of the nearest non-arrow function: its arguments' shapes, by index. */
  #arguments(scope: Scope, frame: Frame): Shape | undefined {
    let current: Scope | null = scope
    while (current && !(isFunctionNode(current.node) && current.node.type !== 'ArrowFunctionExpression')) current = current.parent
    return argumentList((current && frame.argsOf(current.node as FunctionNode)) ?? [])
  }

  /** What a binding holds: its declaration's value along its pattern path, and whatever was assigned to it. */
  #bindingShape(binding: Binding, frame: Frame): Shape | undefined {
    if (this.#evaluatingBindings.has(binding)) return undefined // `let a = b, b = a`
    this.#evaluatingBindings.add(binding)
    try {
      const { source } = binding
      let shape: Shape | undefined
      if (source.type === 'param') shape = this.#along(this.#paramShape(source.fn, source.index, frame), binding.path, binding.lexicalScope, frame)
      else if (source.type === 'declarator' && source.declarator.init) {
        shape = this.#along(this.#ahead(source.declarator.init, binding.lexicalScope, frame), binding.path, binding.lexicalScope, frame)
      } else if (source.type === 'function') shape = { kind: 'local', fn: source.fn, scope: binding.lexicalScope }
      else if (source.type === 'import') shape = this.#importShape(source.source, source.imported, this.#options.modules.ofScope(binding.lexicalScope), frame)
      else if (source.type === 'class') shape = this.#classShape(source.node, binding.lexicalScope)
      const { scopes } = this.#options.modules.ofScope(binding.lexicalScope)
      // A module-level variable outlives the request: any function of the module may assign it, walked or not.
      if (source.type === 'declarator' && source.kind !== 'const' && binding.lexicalScope === scopes.module) {
        scopes.collectAssignments((scopes.module.node as Program).body, scopes.module)
      }
      const assigned = binding.assigned.map(({ value, scope, path }) => this.#along(this.#ahead(value, scope, frame), path, scope, frame))
      return assigned.length === 0 ? shape : union([shape, ...assigned])
    } finally {
      this.#evaluatingBindings.delete(binding)
    }
  }

  /**
   * A class as a value: `Auth.user()` of a static method, and `new Carts().current()` of an
   * instance's, are followed into them as functions of the module.
   */
  #classShape(node: Extract<Node, { type: 'ClassDeclaration' | 'ClassExpression' }>, scope: Scope): Shape | undefined {
    const inner = this.#scopes(scope).enter(node, scope)
    const statics: Record<string, Shape> = {}
    const instance: Record<string, Shape> = {}
    for (const member of node.body.body) {
      if (member.type !== 'ClassMethod' && member.type !== 'ClassProperty') continue
      const name = keyName(member.key, member.computed)
      const method = member.type === 'ClassMethod' ? (member.kind === 'method' ? member : undefined) : member.value && isFunctionNode(member.value) ? member.value : undefined
      if (name !== undefined && method !== undefined) (member.static ? statics : instance)[name] = { kind: 'local', fn: method, scope: inner }
    }
    return fn('the class', { members: statics, constructs: { kind: 'object', label: 'an instance of the class', members: instance } })
  }

  /** What `imported` ('*': the namespace) of `source` is, imported by the module `importer`. */
  #importShape(source: string, imported: string, importer: SourceModule, frame: Frame): Shape | undefined {
    const known = importedShape(source, imported)
    if (known !== undefined) return known
    const { requestBound, modules } = this.#options
    const bound = imported !== '*' && requestBound.has(imported) ? requestBoundHelper(imported) : undefined
    // A module of the app: its export is followed as the page's own code would be (a `requestBound`
    // name stays request-bound too: `export const { auth } = NextAuth(config)` is not followed).
    const module = modules.imported(importer, source)
    if (module !== undefined) return isReadable(module) ? union([bound, this.#exportShape(module, imported, frame)]) : unreadable(module, modules.nameOf(module))
    if (imported !== '*' || requestBound.size === 0) return bound
    // `import * as lib from '~/auth'` (or `await import('~/auth')`): `lib.auth()` is the helper under another name.
    return { kind: 'object', label: `the module ${source}`, members: Object.fromEntries([...requestBound].map((name) => [name, requestBoundHelper(name)])) }
  }

  /** An export of a module of the app ('*': its namespace), as its own code makes it. */
  #exportShape(module: SourceModule, name: string, frame: Frame): Shape | undefined {
    if (name === '*') return this.#namespace(module, frame)
    const key = `${module.id}#${name}`
    if (this.#exportsResolving.has(key)) return undefined // `export { x } from './b'` in a cycle of modules
    this.#exportsResolving.add(key)
    try {
      const target = this.#options.modules.exportOf(module, name)
      switch (target?.kind) {
        case 'binding':
          return this.#bindingShape(target.binding, frame)
        case 'import':
          return this.#importShape(target.source, target.imported, target.importer, frame)
        case 'unreadable':
          return unreadable(target.module, this.#options.modules.nameOf(target.module))
        case 'value': {
          const { node } = target
          const scope = target.module.scopes.module
          if (isFunctionNode(node)) return { kind: 'local', fn: node, scope }
          if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') return this.#classShape(node, scope)
          return this.#ahead(node, scope, frame)
        }
        default:
          return undefined
      }
    } finally {
      this.#exportsResolving.delete(key)
    }
  }

  /** `import * as auth from './auth'`: every export as a member (a `requestBound` name request-bound too). */
  #namespace(module: SourceModule, frame: Frame): Shape | undefined {
    if (this.#namespaces.has(module)) return this.#namespaces.get(module)
    this.#namespaces.set(module, undefined) // a module that imports its own namespace
    const { modules, requestBound } = this.#options
    const members: Record<string, Shape> = {}
    for (const name of modules.exportNames(module)) {
      const shape = union([requestBound.has(name) ? requestBoundHelper(name) : undefined, this.#exportShape(module, name, frame)])
      if (shape !== undefined) members[name] = shape
    }
    const literal = objectLiteral(members, {})
    const shape = literal?.kind === 'object' ? { ...literal, label: `the module ${modules.nameOf(module)}`, at: undefined } : undefined
    this.#namespaces.set(module, shape)
    return shape
  }

  /** The shape of an expression evaluated ahead of the walk (for a binding): without reports. */
  #ahead(node: Expression, scope: Scope, frame: Frame): Shape | undefined {
    const saved = this.#reporting
    this.#reporting = false
    try {
      return this.#expression(node, scope, frame)
    } finally {
      this.#reporting = saved
    }
  }

  #paramShape(fn: FunctionNode, index: number, frame: Frame): Shape | undefined {
    const args = frame.argsOf(fn)
    // `(...args)`: the arguments from here on, as a list.
    return fn.params[index]?.type === 'RestElement' ? argumentList(args?.slice(index) ?? []) : args?.[index]
  }

  /** Follows a pattern path from a value (no reports: the walk reports at the pattern itself). */
  #along(shape: Shape | undefined, path: readonly PatternStep[], scope: Scope, frame: Frame): Shape | undefined {
    let current = shape
    for (const step of path) {
      if (step.type === 'key') current = this.#quietMember(current, step.name, frame)
      else if (step.type === 'index') current = isLeaf(current) ? current : this.#quietMember(current, String(step.index), frame)
      else if (step.type === 'default') current = union([current, this.#ahead(step.value, scope, frame)])
      // a rest element keeps what it was taken from: `{ params, ...rest } = args` still carries the request
    }
    return current
  }

  #quietMember(shape: Shape | undefined, name: string | undefined, frame: Frame): Shape | undefined {
    const saved = this.#reporting
    this.#reporting = false
    try {
      return this.#member(shape, name, undefined, frame)
    } finally {
      this.#reporting = saved
    }
  }

  /**
   * Reads member `name` (undefined: computed) of a value. Reading any member of per-visitor data,
   * or of the query, is a read of it; a member of an object is just looked up.
   */
  #member(shape: Shape | undefined, name: string | undefined, node: Node | undefined, frame: Frame): Shape | undefined {
    if (shape === undefined) return undefined
    switch (shape.kind) {
      case 'object':
        if (name !== undefined) return Object.hasOwn(shape.members, name) ? shape.members[name] : undefined
        if (node) this.#use(shape, node, frame) // `request[key]`: any member at all
        return undefined
      case 'visitor':
        // A method call is reported at the per-visitor value itself (`Astro.cookies`, not `Astro.cookies.get`).
        if (node) this.#visitorRead(this.#callees.has(node) && 'object' in node ? node.object : node, shape, frame)
        return shape
      case 'query':
        if (shape.style === 'search-params' && (name === 'get' || name === 'getAll' || name === 'has')) return { kind: 'query-get', label: shape.label }
        if (node) this.#queryRead(node, shape.style === 'record' ? name : undefined, frame)
        return shape.style === 'record' ? undefined : query(shape.label, 'text')
      case 'function':
        return name !== undefined && shape.members && Object.hasOwn(shape.members, name) ? shape.members[name] : undefined
      case 'promise':
        return this.#member(shape.of, name, node, frame) // Next.js still allows reading a props promise's fields directly
      case 'union':
        return union(shape.shapes.map((member) => this.#member(member, name, node, frame)))
      default:
        return undefined
    }
  }

  #call(node: Call, scope: Scope, frame: Frame): Shape | undefined {
    this.#callees.add(node.callee)
    const loaded = moduleLoadedBy(node, scope)
    if (loaded !== undefined) {
      // `import('next/headers')`, `require('next/headers')`: the module, as a static import of it.
      for (const argument of node.arguments.slice(1)) if (isExpression(argument)) this.#use(this.#expression(argument, scope, frame), argument, frame)
      const namespace = this.#importShape(loaded.source, '*', this.#options.modules.ofScope(scope), frame)
      return loaded.dynamic && namespace !== undefined ? { kind: 'promise', of: namespace } : namespace
    }
    // `import('next/headers').then((headers) => ...)`: the callback is called with what the promise holds.
    const promised = isThenCall(node) ? this.#expression(node.callee.object, scope, frame) : undefined
    if (promised?.kind === 'promise') return this.#then(node, promised.of, scope, frame)
    const callee = node.callee.type === 'Super' || node.callee.type === 'V8IntrinsicIdentifier' || node.callee.type === 'Import' ? undefined : this.#expression(node.callee as Expression, scope, frame)
    let receiver: Shape | undefined
    if ((node.callee.type === 'MemberExpression' || node.callee.type === 'OptionalMemberExpression') && node.callee.object.type !== 'Super') {
      receiver = this.#expression(node.callee.object, scope, frame)
      // `args.map(fn)`, `args.forEach(fn)`: the list's items go to code we do not follow.
      if (receiver?.kind === 'object' && receiver.list) this.#use(receiver, node.callee.object, frame, node)
    }
    const args = node.arguments.map((argument) => {
      if (argument.type === 'SpreadElement') {
        this.#use(this.#expression(argument.argument, scope, frame), argument.argument, frame)
        return undefined
      }
      if (argument.type === 'ArgumentPlaceholder') return undefined
      return this.#expression(argument as Expression, scope, frame)
    })
    return union((callee?.kind === 'union' ? callee.shapes : [callee]).map((one) => this.#callOne(one, node, args, frame, receiver)))
  }

  #callOne(callee: Shape | undefined, node: Call, args: readonly (Shape | undefined)[], frame: Frame, receiver?: Shape): Shape | undefined {
    const isNew = node.type === 'NewExpression'
    switch (callee?.kind) {
      case 'visitor':
        this.#visitorRead(node, callee, frame)
        return callee
      case 'query-get': {
        const [first] = node.arguments
        this.#queryRead(node, literalString(first), frame)
        return undefined
      }
      case 'local':
        if (this.#markedSafe(node)) return undefined // the user vouches for it: not followed
        if (this.#following.length >= MAX_DEPTH) {
          this.#useArguments(node, args, frame) // too deep to follow: as if we could not see into it
          return undefined
        }
        return this.#follow(callee.fn, callee.scope, args, node, frame, receiver)
      case 'function': {
        if (callee.callReads !== undefined) this.#visitorRead(node, visitor(callee.callReads), frame)
        if (isNew && callee.constructs !== undefined) {
          if (callee.constructs === 'url') return exposureOf(args[0]) === 'query' ? URL_OBJECT : undefined
          if (callee.constructs === 'search-params') return exposureOf(args[0]) === 'query' ? query('the query string', 'search-params') : undefined
          this.#useArguments(node, args, frame)
          return callee.constructs
        }
        const { reads } = callee
        if (reads === 'nothing') return callee.returns
        if (reads === undefined) this.#useArguments(node, args, frame)
        else {
          node.arguments.forEach((argument, index) => {
            if (exposureOf(args[index]) === undefined) return
            if (reads === 'query') this.#queryRead(argument, undefined, frame, node)
            else for (const name of reads.queryNames) this.#queryRead(argument, name, frame, node)
          })
        }
        return isNew ? undefined : callee.returns
      }
      default: {
        this.#useArguments(node, args, frame)
        if (isNew) return undefined
        // `cache(fn)`, `createServerFn().handler(fn)`, `queryOptions({ queryFn })`: what code we cannot
        // see makes of a function of the module may call it; a call of what it returns (or handing
        // that on) is followed into that function.
        return union(args.filter((arg) => arg?.kind === 'local' || (arg?.kind === 'object' && Object.values(arg.members).some((member) => member.kind === 'local'))))
      }
    }
  }

  /** `promise.then(onFulfilled, ...)`: a local callback is followed with `value`; other code is handed it. */
  #then(node: Call, value: Shape | undefined, scope: Scope, frame: Frame): Shape | undefined {
    const [first, ...rest] = node.arguments
    for (const argument of rest) if (isExpression(argument)) this.#use(this.#expression(argument, scope, frame), argument, frame)
    if (first === undefined || !isExpression(first)) return undefined
    const callback = this.#expression(first, scope, frame)
    if (callback?.kind !== 'local') {
      this.#use(value, node, frame, node) // the promised value goes to code we cannot see into
      return undefined
    }
    const resolved = awaited(this.#follow(callback.fn, callback.scope, [value], node, frame))
    return resolved === undefined ? undefined : { kind: 'promise', of: resolved }
  }

  #useArguments(node: Call, args: readonly (Shape | undefined)[], frame: Frame): void {
    node.arguments.forEach((argument, index) => this.#use(args[index], argument, frame, node))
  }

  /** Walks a local function called with `args` (once per distinct argument shapes) and gives what it returns. */
  #follow(fn: FunctionNode, scope: Scope, args: readonly (Shape | undefined)[], call: Node, frame: Frame, receiver?: Shape): Shape | undefined {
    if (this.#following.includes(fn)) return undefined // recursion: its body is being walked already
    const earlier = this.#followed.get(fn) ?? []
    // A walk inside a vouched-for expression reports nothing: it stands in only for another such walk.
    const reporting = this.#reporting && this.#safeDepth === 0
    const same = earlier.find((entry) => entry.reporting === reporting && entry.receiver === receiver && entry.args.length === args.length && entry.args.every((shape, index) => shape === args[index]))
    if (same) return same.result
    const returns: (Shape | undefined)[] = []
    this.#following.push(fn)
    try {
      // What it returns goes back to the call, whose caller uses it as it will (`toUrl(request).pathname` reads no query).
      this.#walkFunction(fn, scope, new Frame(frame, fn, args, [...frame.via, call], receiver), (_node, shape) => returns.push(shape), true)
    } finally {
      this.#following.pop()
    }
    const result = union(returns)
    this.#followed.set(fn, [...earlier, { args, reporting, receiver, result }])
    return result
  }

  #assignment(node: Extract<Expression, { type: 'AssignmentExpression' }>, scope: Scope, frame: Frame): Shape | undefined {
    const value = this.#expression(node.right, scope, frame)
    const { left } = node
    if (node.operator !== '=') {
      this.#use(value, node.right, frame)
      if (left.type === 'Identifier' || left.type === 'MemberExpression') this.#use(this.#expression(left, scope, frame), left, frame)
      return undefined
    }
    // What a name is assigned was recorded on its binding before the walk (Scopes.collectAssignments).
    if (left.type === 'Identifier') return value
    if (left.type === 'MemberExpression' || left.type === 'OptionalMemberExpression') {
      this.#expression(left.object as Expression, scope, frame)
      this.#use(value, node.right, frame) // stored into an object we do not follow
    } else {
      this.#destructure(left, value, scope, frame, node.right)
    }
    return value
  }

  #objectLiteral(node: Extract<Expression, { type: 'ObjectExpression' }>, scope: Scope, frame: Frame): Shape | undefined {
    // Only tracked members are kept: most object literals hold none and cost no allocation past these two.
    const members: Record<string, Shape> = {}
    const at: Record<string, Node> = {}
    for (const property of node.properties) {
      if (property.type === 'ObjectMethod') {
        this.#walkFunction(property, scope, frame, undefined)
        // `{ user() { ... } }`: a call of `auth.user()` is followed into it, as a function of the module.
        const name = property.kind === 'method' ? keyName(property.key, property.computed) : undefined
        if (name !== undefined) {
          members[name] = { kind: 'local', fn: property, scope }
          at[name] = property
        }
        continue
      }
      if (property.type === 'SpreadElement') {
        const spread = this.#expression(property.argument, scope, frame)
        if (spread?.kind === 'object') {
          Object.assign(members, spread.members)
          for (const name of Object.keys(spread.members)) at[name] = spread.at?.[name] ?? property.argument
        } else this.#use(spread, property.argument, frame)
        continue
      }
      if (property.computed) this.#use(this.#expression(property.key as Expression, scope, frame), property.key, frame)
      const value = this.#expression(property.value as Expression, scope, frame)
      const name = keyName(property.key, property.computed)
      if (name === undefined) this.#use(value, property.value, frame)
      else if (value !== undefined) {
        members[name] = value
        at[name] = property.value
      } else if (name in members) delete members[name] // `{ ...args, request: null }`: overwritten by an untracked value
    }
    return objectLiteral(members, at)
  }

  #jsx(node: Node, scope: Scope, frame: Frame): void {
    const visit = (child: Node): void => {
      if (child.type === 'JSXExpressionContainer' || child.type === 'JSXSpreadChild' || child.type === 'JSXSpreadAttribute') {
        const expression = child.type === 'JSXSpreadAttribute' ? child.argument : child.expression
        if (expression.type !== 'JSXEmptyExpression') this.#use(this.#expression(expression, scope, frame), expression, frame)
        return
      }
      if (child.type === 'JSXElement') {
        for (const attribute of child.openingElement.attributes) {
          if (attribute.type === 'JSXSpreadAttribute') visit(attribute)
          else if (attribute.value) visit(attribute.value)
        }
      }
      if (child.type === 'JSXElement' || child.type === 'JSXFragment') child.children.forEach(visit)
    }
    visit(node)
  }

  /** Any other node: its expressions are used whole, its statements walked; types are skipped. */
  #generic(node: Node, scope: Scope, frame: Frame): void {
    for (const key of VISITOR_KEYS[node.type] ?? []) {
      if (TYPE_KEYS.has(key)) continue
      const value = (node as unknown as Record<string, unknown>)[key]
      for (const child of Array.isArray(value) ? value : [value]) {
        if (!child || typeof child !== 'object' || !('type' in child)) continue
        const childNode = child as Node
        if (childNode.type.startsWith('TS') && !isExpression(childNode)) continue
        if (isFunctionNode(childNode)) this.#walkFunction(childNode, scope, frame, undefined)
        else if (isStatement(childNode)) this.#statement(childNode, scope, frame)
        else if (isExpression(childNode)) {
          if (childNode.type === 'Identifier' && !isReferenced(childNode, node)) continue
          this.#use(this.#expression(childNode, scope, frame), childNode, frame)
        } else this.#generic(childNode, scope, frame)
      }
    }
  }

  /**
   * Binds a pattern to a value, as a declaration or a parameter does, reporting the reads it
   * makes: `{ user } = locals` reads locals; `{ sort, q } = searchParams` reads "sort" and "q".
   */
  #destructure(pattern: Node, shape: Shape | undefined, scope: Scope, frame: Frame, from?: Node): void {
    switch (pattern.type) {
      case 'ObjectPattern':
        for (const property of pattern.properties) {
          if (property.type === 'RestElement') {
            if (isLeaf(shape)) this.#member(shape, undefined, from ?? property, frame)
            this.#destructure(property.argument, shape?.kind === 'object' ? shape : undefined, scope, frame)
            continue
          }
          if (property.computed) this.#use(this.#expression(property.key as Expression, scope, frame), property.key, frame)
          const member = this.#member(shape, keyName(property.key, property.computed), isLeaf(shape) ? (from ?? property) : property, frame)
          this.#destructure(property.value, member, scope, frame)
        }
        return
      case 'ArrayPattern':
        if (isLeaf(shape)) this.#member(shape, undefined, from ?? pattern, frame)
        pattern.elements.forEach((element, index) => {
          if (element === null) return
          // `[first, ...rest] = args`: the rest keeps what it was taken from.
          const item = element.type === 'RestElement' ? shape : this.#member(shape?.kind === 'object' ? shape : undefined, String(index), element, frame)
          this.#destructure(element, item, scope, frame)
        })
        return
      case 'AssignmentPattern': {
        const fallback = this.#expression(pattern.right, scope, frame)
        this.#destructure(pattern.left, union([shape, fallback]), scope, frame, from)
        return
      }
      case 'RestElement':
        this.#destructure(pattern.argument, shape, scope, frame, from)
        return
      case 'TSParameterProperty':
        this.#destructure(pattern.parameter, shape, scope, frame, from)
        return
      default:
        return // an identifier binds the value; nothing is read yet
    }
  }

  /** A condition: whether an object is there reads nothing of it; a per-visitor or query value it reads. */
  #test(node: Expression, shape: Shape | undefined, frame: Frame): void {
    if (isLeaf(shape) || (shape?.kind === 'union' && shape.shapes.some(isLeaf))) this.#use(shape, node, frame)
  }

  // --- reports --------------------------------------------------------------------------------

  /** A value used whole, where we cannot see what reads it. */
  #use(shape: Shape | undefined, node: Node, frame: Frame, call?: Node): void {
    // Inside a vouched-for expression, what is handed on is the user's call (explicit reads still count).
    if (!this.#reporting || shape === undefined || this.#safeDepth > 0) return
    const exposure = exposureOf(shape)
    if (shape.kind === 'object' && call === undefined && exposure) {
      // An object literal used whole (returned, say): point at the member that carries it, where it was written.
      const carrier = Object.keys(shape.members).find((member) => exposureOf(shape.members[member]) === exposure)!
      const at = shape.at?.[carrier]
      if (at !== undefined) return this.#use(shape.members[carrier], at, frame)
    }
    this.#callsBack(shape, node, frame)
    if (exposure === 'visitor') {
      const leaf = firstLeaf(shape, 'visitor')
      if (leaf) this.#visitorRead(node, leaf, frame)
      else if (this.#safeDepth === 0) this.#options.reporter.handedWhole(node, shape, call, frame.via)
    }
    // The request handed on carries its URL: a read of the query too.
    if (carriesQuery(shape)) this.#queryRead(node, undefined, frame, call)
  }

  /**
   * Functions of the module handed to code we cannot see (`ids.map(getPrice)`, an options object's
   * `queryFn`), which may call them: each is walked as if called, with arguments we do not know.
   */
  #callsBack(shape: Shape, node: Node, frame: Frame, seen = new Set<Shape>()): void {
    if (seen.has(shape)) return
    seen.add(shape)
    if (shape.kind === 'local') this.#follow(shape.fn, shape.scope, [], node, frame)
    else if (shape.kind === 'union') for (const member of shape.shapes) this.#callsBack(member, node, frame, seen)
    else if (shape.kind === 'promise') this.#callsBack(shape.of, node, frame, seen)
    else if (shape.kind === 'object') for (const member of Object.values(shape.members)) this.#callsBack(member, node, frame, seen)
  }

  #visitorRead(node: Node, shape: Extract<Shape, { kind: 'visitor' }>, frame: Frame): void {
    if (this.#reporting && this.#safeDepth === 0) this.#options.reporter.visitorRead(node, shape, frame.via)
  }

  #queryRead(node: Node, name: string | undefined, frame: Frame, call?: Node): void {
    if (this.#reporting) this.#options.reporter.queryRead(call ?? node, name, frame.via)
  }
}

/** Whether a call is written at `start` along an expression's leftmost chain (`f(x).a.b`: `f(x)`). */
function callStartsSpine(node: Node, start: number): boolean {
  let current: Node = node
  while (current.start === start) {
    switch (current.type) {
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
        return true
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        current = current.object
        break
      case 'ParenthesizedExpression':
      case 'TSNonNullExpression':
        current = current.expression
        break
      default:
        return false
    }
  }
  return false
}

/**
 * What a module of the app that does not parse exports: code the compiler cannot read, so using it
 * in cached data is reported as a read it cannot rule out (with its own reason and fix).
 */
function unreadable(module: UnreadableModule, name: string): Shape {
  return {
    kind: 'visitor',
    label: `code of ${name}`,
    why: `that module does not parse (${module.reason}), so the compiler cannot tell what it reads per visitor`,
    fix: 'fix its syntax. If it is valid code the compiler cannot parse, and the same for every visitor, say so right before the call: `/* revalidate-safe: <why> */`.',
  }
}

/** A helper named in the `requestBound` option: a call of it reads the visitor's session by itself. */
function requestBoundHelper(name: string): Shape {
  return fn(`${name}()`, { callReads: `the visitor's session or sign-in (\`${name}()\` reads the request by itself; the \`requestBound\` option lists it)` })
}

/** A string written literally: `'page'` or `` `page` `` (without substitutions). */
function literalString(node: Node | undefined): string | undefined {
  if (node?.type === 'StringLiteral') return node.value
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0]!.value.cooked ?? undefined
  return undefined
}

/** `x.then(...)` (or `x?.then(...)`), with `then` written as a name. */
function isThenCall(node: Call): node is Call & { callee: Extract<Expression, { type: 'MemberExpression' | 'OptionalMemberExpression' }> } {
  const { callee } = node
  return (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && !callee.computed && callee.property.type === 'Identifier' && callee.property.name === 'then' && callee.object.type !== 'Super'
}

/**
 * The module a call loads by its literal name: `import('m')` (a promise of its namespace), or
 * `require('m')` of CommonJS (the namespace itself; a local binding named `require` is not it).
 */
function moduleLoadedBy(node: Call, scope: Scope): { source: string; dynamic: boolean } | undefined {
  if (node.type === 'NewExpression') return undefined
  const source = literalString(node.arguments[0])
  if (source === undefined) return undefined
  const { callee } = node
  if (callee.type === 'Import') return { source, dynamic: true }
  if (callee.type === 'Identifier' && callee.name === 'require' && scope.lookup('require') === undefined) return { source, dynamic: false }
  return undefined
}

function awaited(shape: Shape | undefined): Shape | undefined {
  if (shape?.kind === 'promise') return shape.of
  if (shape?.kind === 'union') return union(shape.shapes.map(awaited))
  return shape
}

/** Per-visitor data and the query are leaves: any read of them is a read. */
function isLeaf(shape: Shape | undefined): shape is Extract<Shape, { kind: 'visitor' | 'query' }> {
  return shape?.kind === 'visitor' || shape?.kind === 'query'
}

function firstLeaf(shape: Shape | undefined, kind: 'visitor'): Extract<Shape, { kind: 'visitor' }> | undefined {
  if (shape?.kind === kind) return shape
  if (shape?.kind === 'union') for (const member of shape.shapes) if (member.kind === kind) return member
  if (shape?.kind === 'promise') return firstLeaf(shape.of, kind)
  return undefined
}

