/**
 * What the code opening a scope declares in it, as JavaScript (strict module code) and
 * TypeScript say: `var` is function-scoped, everything else (functions included) block-scoped;
 * names in type positions declare nothing.
 *
 *   function f(a, { b }) {      f's scope: a, b (params), c (a var, hoisted out of the block), g
 *     if (x) { var c = 1 }
 *     function g() {}
 *   }
 */
import type { Node, Program, Statement, VariableDeclaration } from '@babel/types'
import { eachPatternName } from './patterns.js'
import { isFunctionNode, Scope, type BindingSource } from './scope.js'

/** The node types `openScope` may open a scope for: others are skipped before any lookup. */
export const OPENS_SCOPE: ReadonlySet<string> = new Set([
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

/** The module's scope, with what its top level declares (imports, functions, classes, variables). */
export function moduleScope(program: Program): Scope {
  const scope = new Scope(program, null)
  declareVars(scope, program.body)
  declareStatements(scope, program.body)
  return scope
}

/** The scope `node` opens inside `parent` with what it declares, or `parent` itself when it opens none. */
export function openScope(node: Node, parent: Scope): Scope {
  if (isFunctionNode(node)) {
    const scope = new Scope(node, parent)
    if (node.type === 'FunctionExpression' && node.id) scope.declare(node.id, { type: 'function', fn: node }, [])
    node.params.forEach((param, index) => {
      if (param.type === 'Identifier' && param.name === 'this') return // a TypeScript `this` type, not a parameter
      eachPatternName(param, (identifier, path) => scope.declare(identifier, { type: 'param', fn: node, index }, path))
    })
    if (node.body.type === 'BlockStatement') {
      declareVars(scope, node.body.body)
      declareStatements(scope, node.body.body)
    }
    return scope
  }
  switch (node.type) {
    case 'BlockStatement':
      // A function's body shares the function's scope, which declared it already.
      if (isFunctionNode(parent.node) && parent.node.body === node) return parent
      return withStatements(node, parent, node.body)
    case 'StaticBlock':
      return withStatements(node, parent, node.body)
    case 'SwitchStatement':
      return withStatements(
        node,
        parent,
        node.cases.flatMap((switchCase) => switchCase.consequent),
      )
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

function withStatements(node: Node, parent: Scope, statements: readonly Statement[]): Scope {
  const scope = new Scope(node, parent)
  declareStatements(scope, statements)
  return scope
}

/** Declares what a list of statements declares at its own level: `let`, `const`, functions, classes, imports. */
function declareStatements(scope: Scope, statements: readonly Statement[]): void {
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
