/**
 * What a name refers to: a scope and its bindings, over the @babel/parser AST. Scopes are made
 * lazily by `Scopes` (scopes.ts), so the analysis pays only for the code it reads; a note in
 * docs/architecture.md says why this is our own and not `@babel/traverse`'s.
 *
 *   import { cookies as read } from 'next/headers'     read    -> import { source: 'next/headers', imported: 'cookies' }
 *   export async function load({ locals: l }) {        l       -> param 0, path [key "locals"]
 *     const { user } = l                               user    -> declarator (init `l`), path [key "user"]
 *     const headers = () => ({})                       headers -> a local binding, not the API of that name
 *   }
 */
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
  Node,
  ObjectMethod,
  VariableDeclaration,
  VariableDeclarator,
} from '@babel/types'
import type { PatternStep } from './patterns.js'

export type FunctionNode = FunctionDeclaration | FunctionExpression | ArrowFunctionExpression | ObjectMethod | ClassMethod | ClassPrivateMethod

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

export function isFunctionNode(node: Node): node is FunctionNode {
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ObjectMethod':
    case 'ClassMethod':
    case 'ClassPrivateMethod':
      return true
    default:
      return false
  }
}
