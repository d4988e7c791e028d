/**
 * The scopes of one module, and what a piece of its code reads, assigns, returns and awaits:
 * found in one walk of that code (the first time anyone asks) and shared by everything that
 * reads it, the page data's rules, the safety checks and the version alike.
 *
 *   export async function loader({ params }) {     references: params -> param 0; db -> import; post -> declarator
 *     const post = await db.post(params.slug)      awaits: the `await`
 *     if (!post) return null                       returns: the `return`
 *     return { post }
 *   }
 *
 * A scope is made the first time the walk (or the data flow) enters the node that opens it, so
 * code nobody reads costs nothing; a note in docs/architecture.md says why this is our own
 * resolver and not `@babel/traverse`'s crawl.
 */
import { isReferenced, type Expression, type Identifier, type Node, type Program, type ReturnStatement } from '@babel/types'
import { moduleScope, OPENS_SCOPE, openScope } from './declarations.js'
import { eachPatternName, type PatternStep } from './patterns.js'
import { isFunctionNode, type Binding, type Scope } from './scope.js'
import { SKIP, walk } from './walk.js'

/** What a piece of code reads and assigns, where it returns and where it waits (Scopes.factsOf). */
export interface CodeFacts {
  /** Every name it reads, in order, with the binding it resolves to (undefined: a global). */
  readonly references: readonly { identifier: Identifier; binding: Binding | undefined }[]
  /** Every `=` assignment to a name of this module, nested functions included. */
  readonly assignments: readonly { target: Identifier; binding: Binding; value: Expression; scope: Scope; path: PatternStep[] }[]
  /** The functions nested in it. */
  readonly functions: readonly Node[]
  /** Its `return`s, outside nested functions. */
  readonly returns: readonly ReturnStatement[]
  /** Where it waits, outside nested functions: `await` and `for await`. */
  readonly awaits: readonly Node[]
}

/** Where the walk stands: the scope, and whether inside a function nested in the code walked. */
interface Place {
  scope: Scope
  nested: boolean
}

/** Scopes of one module, each made the first time it is asked for and kept. */
export class Scopes {
  readonly #made = new Map<Node, Scope>()
  readonly #facts = new Map<Node, CodeFacts>()
  /** Code whose assignments are recorded on their bindings already, and the targets recorded. */
  readonly #assignmentsCollected = new WeakSet<Node>()
  readonly #targetsRecorded = new WeakSet<Identifier>()
  readonly module: Scope

  constructor(readonly program: Program) {
    this.module = moduleScope(program)
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

  /** What the code of `node` (in `scope`) reads, assigns, returns and awaits: found in one walk, the first time it is asked. */
  factsOf(node: Node, scope: Scope): CodeFacts {
    let facts = this.#facts.get(node)
    if (facts === undefined) {
      facts = this.#findFacts(node, scope)
      this.#facts.set(node, facts)
    }
    return facts
  }

  /** Calls `found` for every name the code of `node` (in `scope`) reads, with the binding it resolves to (undefined: a global). */
  eachReference(node: Node, scope: Scope, found: (identifier: Identifier, binding: Binding | undefined) => void): void {
    for (const { identifier, binding } of this.factsOf(node, scope).references) found(identifier, binding)
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

  #findFacts(root: Node, scope: Scope): CodeFacts {
    const references: CodeFacts['references'][number][] = []
    const assignments: CodeFacts['assignments'][number][] = []
    const functions: Node[] = []
    const returns: ReturnStatement[] = []
    const awaits: Node[] = []
    walk<Place>(root, { scope, nested: false }, (node, place, parent, grandparent) => {
      const { scope: outer, nested } = place
      switch (node.type) {
        case 'Identifier':
          if (parent && isReferenced(node, parent, grandparent)) references.push({ identifier: node, binding: outer.lookup(node.name) })
          return SKIP
        case 'ReturnStatement':
          if (!nested) returns.push(node)
          break
        case 'AwaitExpression':
          if (!nested) awaits.push(node)
          break
        case 'ForOfStatement':
          if (node.await && !nested) awaits.push(node)
          break
        case 'AssignmentExpression':
          if (node.operator !== '=') break
          eachPatternName(node.left, (target, path) => {
            const binding = outer.lookup(target.name)
            if (binding) assignments.push({ target, binding, value: node.right, scope: outer, path })
          })
          break
        default:
          break
      }
      const isFunction = node !== root && isFunctionNode(node)
      if (isFunction) functions.push(node)
      const isNested = nested || isFunction
      const inner = this.enter(node, outer)
      return inner === outer && isNested === nested ? place : { scope: inner, nested: isNested }
    })
    return { references, assignments, functions, returns, awaits }
  }
}
