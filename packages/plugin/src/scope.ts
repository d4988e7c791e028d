/**
 * What a name refers to, for the few parts of a page the analysis reads: a small scope resolver
 * over the @babel/parser AST, built lazily (a scope is made only when the analysis enters its
 * node), so it costs a fraction of a parse where `@babel/traverse`'s crawl costs several parses.
 *
 *   import { cookies as read } from 'next/headers'     read    -> import { source: 'next/headers', imported: 'cookies' }
 *   export async function load({ locals: l }) {        l       -> param 0, path [key "locals"]
 *     const { user } = l                               user    -> declarator (init `l`), path [key "user"]
 *     const headers = () => ({})                       headers -> a local binding, not the API of that name
 *   }
 *
 * Module code is strict: `var` is function-scoped, everything else (functions included) is
 * block-scoped. Names in type positions are not references and declare nothing here.
 */
import { isReferenced, VISITOR_KEYS } from '@babel/types'
import type {
  ArrowFunctionExpression,
  ClassDeclaration,
  ClassExpression,
  ClassMethod,
  ClassPrivateMethod,
  Expression,
  FunctionDeclaration,
  FunctionExpression,
  Identifier,
  LVal,
  Node,
  ObjectMethod,
  Program,
  Statement,
  VariableDeclaration,
  VariableDeclarator,
} from '@babel/types'

export type FunctionNode = FunctionDeclaration | FunctionExpression | ArrowFunctionExpression | ObjectMethod | ClassMethod | ClassPrivateMethod

/** One step from the root of a destructuring pattern to a name bound in it. */
export type PatternStep =
  | { type: 'key'; name: string | undefined } // `{ name }`; undefined for a computed key
  | { type: 'index'; index: number } // `[a, b]`
  | { type: 'rest' } // `{ ...rest }` or `[...rest]`
  | { type: 'default'; value: Expression } // `a = value`

export type BindingSource =
  | { type: 'param'; fn: FunctionNode; index: number }
  | { type: 'declarator'; declarator: VariableDeclarator; kind: VariableDeclaration['kind'] }
  | { type: 'function'; fn: FunctionDeclaration | FunctionExpression }
  | { type: 'class'; node: ClassDeclaration | ClassExpression }
  | { type: 'import'; source: string; imported: string } // imported: 'default', '*' or the export's name
  | { type: 'other' } // catch parameter, loop variable, enum, ...

export interface Binding {
  name: string
  identifier: Identifier
  source: BindingSource
  path: PatternStep[]
  /** The scope the declaration is written in (a `var`'s own block), where its initializer is read. */
  lexicalScope: Scope
  /**
   * Values assigned to it after its declaration (`name = value`, `({ name } = value)` with the
   * path to it), with the scope they are read in: every one in the code collected so far
   * (`Scopes.collectAssignments`), wherever it stands, so an assignment later in a loop counts too.
   */
  assigned: { value: Expression; scope: Scope; path: PatternStep[] }[]
}

export class Scope {
  readonly bindings = new Map<string, Binding>()
  /** The module's own scope, at the root of this one's chain: it tells which module a scope is in. */
  readonly module: Scope

  constructor(
    readonly node: Node,
    readonly parent: Scope | null,
  ) {
    this.module = parent?.module ?? this
  }

  lookup(name: string): Binding | undefined {
    for (let scope: Scope | null = this; scope !== null; scope = scope.parent) {
      const binding = scope.bindings.get(name)
      if (binding) return binding
    }
    return undefined
  }

  declare(identifier: Identifier, source: BindingSource, path: PatternStep[], lexicalScope: Scope = this): void {
    this.bindings.set(identifier.name, { name: identifier.name, identifier, source, path, lexicalScope, assigned: [] })
  }
}

/** Calls `found` for each name a pattern binds, with the path that reaches it. */
export function eachPatternName(pattern: LVal | Node, found: (identifier: Identifier, path: PatternStep[]) => void, path: PatternStep[] = []): void {
  switch (pattern.type) {
    case 'Identifier':
      found(pattern, path)
      return
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        if (property.type === 'RestElement') eachPatternName(property.argument, found, [...path, { type: 'rest' }])
        else eachPatternName(property.value, found, [...path, { type: 'key', name: keyName(property.key, property.computed) }])
      }
      return
    case 'ArrayPattern':
      pattern.elements.forEach((element, index) => {
        if (element === null) return
        if (element.type === 'RestElement') eachPatternName(element.argument, found, [...path, { type: 'rest' }])
        else eachPatternName(element, found, [...path, { type: 'index', index }])
      })
      return
    case 'AssignmentPattern':
      eachPatternName(pattern.left, found, [...path, { type: 'default', value: pattern.right }])
      return
    case 'RestElement':
      eachPatternName(pattern.argument, found, path)
      return
    case 'TSParameterProperty':
      eachPatternName(pattern.parameter, found, path)
      return
    default:
      return // a member expression as an assignment target binds nothing
  }
}

/** The name of a non-computed key (`a`, `'a'`, `1`), or undefined. */
export function keyName(key: Node, computed: boolean): string | undefined {
  if (key.type === 'Identifier' && !computed) return key.name
  if (key.type === 'StringLiteral') return key.value
  if (key.type === 'NumericLiteral') return String(key.value)
  return undefined
}

export function isFunctionNode(node: Node): node is FunctionNode {
  return (
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression' ||
    node.type === 'ObjectMethod' ||
    node.type === 'ClassMethod' ||
    node.type === 'ClassPrivateMethod'
  )
}

/** Scopes of one module, each made the first time it is asked for and kept. */
export class Scopes {
  readonly #made = new Map<Node, Scope>()
  readonly #facts = new Map<Node, CodeFacts>()
  /** Code whose assignments are recorded on their bindings already, and the targets recorded. */
  readonly #assignmentsCollected = new WeakSet<Node>()
  readonly #targetsRecorded = new WeakSet<Identifier>()
  readonly module: Scope

  constructor(program: Program) {
    this.module = new Scope(program, null)
    declareStatements(this.module, program.body, true)
  }

  /** What the code of `node` (in `scope`) reads and assigns: found in one walk, the first time it is asked. */
  factsOf(node: Node, scope: Scope): CodeFacts {
    let facts = this.#facts.get(node)
    if (facts === undefined) {
      facts = findFacts(node, scope, this)
      this.#facts.set(node, facts)
    }
    return facts
  }

  /**
   * Records every `=` assignment to a name under `nodes` (in `scope`), nested functions included,
   * on the binding it assigns: `Binding.assigned`. Each is recorded once, however often asked.
   */
  collectAssignments(nodes: readonly Node[], scope: Scope): void {
    for (const node of nodes) {
      if (this.#assignmentsCollected.has(node)) continue
      const facts = this.factsOf(node, scope)
      for (const { target, binding, ...assigned } of facts.assignments) {
        if (this.#targetsRecorded.has(target)) continue // a function nested in this one was collected first
        this.#targetsRecorded.add(target)
        binding.assigned.push(assigned)
      }
      this.#assignmentsCollected.add(node)
      for (const fn of facts.functions) this.#assignmentsCollected.add(fn)
    }
  }

  /**
   * The scope a node opens inside `parent`, or `parent` itself when the node opens none. Nodes
   * that open one: functions, blocks, `for` heads, `catch` clauses, `switch` bodies, classes.
   */
  enter(node: Node, parent: Scope): Scope {
    if (!OPENS_SCOPE.has(node.type)) return parent
    const made = this.#made.get(node)
    if (made) return made
    const scope = openScope(node, parent)
    if (scope !== parent) this.#made.set(node, scope)
    return scope
  }
}

/** The node types `openScope` may open a scope for: others are skipped before any lookup. */
const OPENS_SCOPE: ReadonlySet<string> = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
  'BlockStatement',
  'StaticBlock',
  'SwitchStatement',
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'CatchClause',
  'ClassExpression',
  'ClassDeclaration',
])

function openScope(node: Node, parent: Scope): Scope {
  if (isFunctionNode(node)) {
    const scope = new Scope(node, parent)
    if (node.type === 'FunctionExpression' && node.id) scope.declare(node.id, { type: 'function', fn: node }, [])
    node.params.forEach((param, index) => {
      if (param.type === 'Identifier' && param.name === 'this') return // a TypeScript `this` type, not a parameter
      eachPatternName(param, (identifier, path) => scope.declare(identifier, { type: 'param', fn: node, index }, path))
    })
    if (node.body.type === 'BlockStatement') {
      declareVars(scope, node.body.body)
      declareStatements(scope, node.body.body, false)
    }
    return scope
  }
  switch (node.type) {
    case 'BlockStatement':
    case 'StaticBlock': {
      const scope = new Scope(node, parent)
      declareStatements(scope, node.body, false)
      return scope
    }
    case 'SwitchStatement': {
      const scope = new Scope(node, parent)
      for (const switchCase of node.cases) declareStatements(scope, switchCase.consequent, false)
      return scope
    }
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement': {
      const head = node.type === 'ForStatement' ? node.init : node.left
      if (head?.type !== 'VariableDeclaration' || head.kind === 'var') return parent
      const scope = new Scope(node, parent)
      declareVariables(scope, head, node.type !== 'ForStatement', scope)
      return scope
    }
    case 'CatchClause': {
      if (!node.param) return parent
      const scope = new Scope(node, parent)
      eachPatternName(node.param, (identifier) => scope.declare(identifier, { type: 'other' }, []))
      return scope
    }
    case 'ClassExpression':
    case 'ClassDeclaration': {
      if (!node.id) return parent
      const scope = new Scope(node, parent)
      scope.declare(node.id, { type: 'class', node }, [])
      return scope
    }
    default:
      return parent
  }
}

/** Declares what a list of statements declares at its own level: `let`, `const`, functions, classes, imports. */
function declareStatements(scope: Scope, statements: readonly Statement[], isModule: boolean): void {
  if (isModule) declareVars(scope, statements)
  for (const statement of statements) {
    const declaration =
      statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration' ? statement.declaration : statement
    if (!declaration) continue
    switch (declaration.type) {
      case 'ImportDeclaration':
        if (declaration.importKind === 'type' || declaration.importKind === 'typeof') break
        for (const specifier of declaration.specifiers) {
          if (specifier.type === 'ImportSpecifier' && (specifier.importKind === 'type' || specifier.importKind === 'typeof')) continue
          const imported =
            specifier.type === 'ImportDefaultSpecifier'
              ? 'default'
              : specifier.type === 'ImportNamespaceSpecifier'
                ? '*'
                : specifier.imported.type === 'Identifier'
                  ? specifier.imported.name
                  : specifier.imported.value
          scope.declare(specifier.local, { type: 'import', source: declaration.source.value, imported }, [])
        }
        break
      case 'FunctionDeclaration':
        if (declaration.id) scope.declare(declaration.id, { type: 'function', fn: declaration }, [])
        break
      case 'ClassDeclaration':
        if (declaration.id) scope.declare(declaration.id, { type: 'class', node: declaration }, [])
        break
      case 'VariableDeclaration':
        if (declaration.kind !== 'var') declareVariables(scope, declaration, false, scope)
        break
      case 'TSEnumDeclaration':
        scope.declare(declaration.id, { type: 'other' }, [])
        break
      case 'TSModuleDeclaration':
        if (declaration.id.type === 'Identifier' && !declaration.declare) scope.declare(declaration.id, { type: 'other' }, [])
        break
      case 'TSImportEqualsDeclaration':
        if (!declaration.isExport || declaration.importKind !== 'type') scope.declare(declaration.id, { type: 'other' }, [])
        break
      default:
        break
    }
  }
}

function declareVariables(scope: Scope, declaration: VariableDeclaration, isLoopVariable: boolean, lexicalScope: Scope): void {
  for (const declarator of declaration.declarations) {
    const source: BindingSource = isLoopVariable ? { type: 'other' } : { type: 'declarator', declarator, kind: declaration.kind }
    eachPatternName(declarator.id, (identifier, path) => scope.declare(identifier, source, path, lexicalScope))
  }
}

/**
 * Declares every `var` of a function (or module) body in its scope, wherever it is nested in
 * blocks, but not inside nested functions. Its initializer is read in the block it is written in;
 * that block's scope is not made yet, so the function's scope stands in (a `var` initializer that
 * reads a block's own `let` is rare enough to leave unresolved).
 */
function declareVars(scope: Scope, statements: readonly Statement[]): void {
  const visit = (statement: Statement | null | undefined): void => {
    if (!statement) return
    switch (statement.type) {
      case 'VariableDeclaration':
        if (statement.kind === 'var') declareVariables(scope, statement, false, scope)
        return
      case 'ExportNamedDeclaration':
        if (statement.declaration?.type === 'VariableDeclaration') visit(statement.declaration)
        return
      case 'BlockStatement':
        statement.body.forEach(visit)
        return
      case 'IfStatement':
        visit(statement.consequent)
        visit(statement.alternate)
        return
      case 'ForStatement':
        if (statement.init?.type === 'VariableDeclaration') visit(statement.init)
        visit(statement.body)
        return
      case 'ForInStatement':
      case 'ForOfStatement':
        if (statement.left.type === 'VariableDeclaration' && statement.left.kind === 'var') {
          for (const declarator of statement.left.declarations) eachPatternName(declarator.id, (identifier) => scope.declare(identifier, { type: 'other' }, []))
        }
        visit(statement.body)
        return
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'LabeledStatement':
        visit(statement.body)
        return
      case 'TryStatement':
        visit(statement.block)
        visit(statement.handler?.body)
        visit(statement.finalizer)
        return
      case 'SwitchStatement':
        for (const switchCase of statement.cases) switchCase.consequent.forEach(visit)
        return
      default:
        return
    }
  }
  statements.forEach(visit)
}

/** Parts of the AST that only hold types: no name in them is a reference to a value. */
export const TYPE_KEYS: ReadonlySet<string> = new Set(['typeAnnotation', 'returnType', 'typeParameters', 'typeArguments', 'superTypeParameters', 'implements', 'predicate'])

const VALUE_KEYS = new Map<string, readonly string[]>()

/** The keys of a node type that can hold values, worked out once per type; none for a type-only node. */
function valueKeysOf(type: string): readonly string[] {
  let keys = VALUE_KEYS.get(type)
  if (keys === undefined) {
    keys = type.startsWith('TS') && !type.endsWith('Expression') ? [] : (VISITOR_KEYS[type] ?? []).filter((key) => !TYPE_KEYS.has(key))
    VALUE_KEYS.set(type, keys)
  }
  return keys
}

/** What a piece of code reads and assigns (Scopes.factsOf). */
export interface CodeFacts {
  /** Every name it reads, in order, with the binding it resolves to (undefined: a global). */
  readonly references: readonly { identifier: Identifier; binding: Binding | undefined }[]
  /** Every `=` assignment to a name of this module, nested functions included. */
  readonly assignments: readonly { target: Identifier; binding: Binding; value: Expression; scope: Scope; path: PatternStep[] }[]
  /** The functions nested in it. */
  readonly functions: readonly Node[]
}

function findFacts(node: Node, scope: Scope, scopes: Scopes): CodeFacts {
  const facts = { references: [] as CodeFacts['references'][number][], assignments: [] as CodeFacts['assignments'][number][], functions: [] as Node[] }
  walkScoped(node, scope, scopes, (current, outer, parent, grandparent) => {
    if (current.type === 'Identifier') {
      if (parent && isReferenced(current, parent, grandparent)) facts.references.push({ identifier: current, binding: outer.lookup(current.name) })
      return false
    }
    if (current !== node && isFunctionNode(current)) facts.functions.push(current)
    else if (current.type === 'AssignmentExpression' && current.operator === '=') {
      const { right: value } = current
      eachPatternName(current.left, (target, path) => {
        const binding = outer.lookup(target.name)
        if (binding) facts.assignments.push({ target, binding, value, scope: outer, path })
      })
    }
    return true
  })
  return facts
}

/**
 * Calls `found` for every identifier under `node` that refers to a value, with the binding it
 * resolves to in `scope` (undefined for a global). Scopes are entered on the way down.
 */
export function eachReference(node: Node, scope: Scope, scopes: Scopes, found: (identifier: Identifier, binding: Binding | undefined) => void): void {
  for (const { identifier, binding } of scopes.factsOf(node, scope).references) found(identifier, binding)
}

/**
 * Visits `node` and what is under it, each with the scope it stands in (scopes are entered on the
 * way down); `visit` returns false to skip what is under a node. Type-only parts are skipped.
 */
function walkScoped(node: Node, scope: Scope, scopes: Scopes, visit: (current: Node, outer: Scope, parent: Node | undefined, grandparent: Node | undefined) => boolean): void {
  const descend = (current: Node, parent: Node | undefined, grandparent: Node | undefined, outer: Scope): void => {
    if (!visit(current, outer, parent, grandparent)) return
    const keys = valueKeysOf(current.type)
    if (keys.length === 0) return
    const inner = scopes.enter(current, outer)
    // A function's body block shares the function's scope: its statements are visited directly.
    const body = isFunctionNode(current) && current.body.type === 'BlockStatement' ? current.body.body : undefined
    // Indexed loops and `.type` tests: this runs for every node of the code the analysis reads.
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!
      const value = body !== undefined && key === 'body' ? body : (current as unknown as Record<string, { type?: string } | { type?: string }[] | null | undefined>)[key]
      if (value == null) continue
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const child = value[i]
          if (child != null && child.type !== undefined) descend(child as Node, current, parent, inner)
        }
      } else if (value.type !== undefined) descend(value as Node, current, parent, inner)
    }
  }
  descend(node, undefined, undefined, scope)
}
