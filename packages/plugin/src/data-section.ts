/**
 * The data section of a page function (or an `.astro` frontmatter): the statements whose result
 * is cached. It ends before the first statement that can `return` (other than returning a call
 * that never returns, such as `notFound()`); what follows runs on every request, outside the
 * cache. Declarations the template uses (functions, classes, constants) and, in a frontmatter,
 * imports and exports are not data: they are moved out of the cached code, before it.
 *
 *   export default async function Page({ params }) {
 *     const fmt = (d) => d.toISOString()          moved: a function the template calls
 *     const post = await db.post(params.slug)     data
 *     if (!post) return <NotFound />              the section ends here
 *     return <Post post={post} date={fmt(post.at)} />
 *   }
 *
 * The rules read the facts of the one walk of each statement (scopes.ts): its returns, its
 * awaits and the names it reads.
 */
import type { Identifier, Node, Statement } from '@babel/types'
import { importedShape } from './frameworks/index.js'
import type { Page } from './page.js'
import { eachPatternName, patternNames } from './patterns.js'
import { isFunctionNode, type Binding, type Scope } from './scope.js'

/** The statements of a data section: those in [start, end) are wrapped, but `moved` ones go before. */
export interface Section {
  /** Every statement from the first data statement to the last, in order. */
  statements: Statement[]
  /** Statements among them that stay outside the cached code (declarations, imports, exports). */
  moved: Statement[]
}

/** The statements of a section that run in the cached code. */
export function dataStatements(section: Section): Statement[] {
  const moved = new Set(section.moved)
  return section.statements.filter((statement) => !moved.has(statement))
}

/** What a statement of the section declares at its top level: the bindings the cached value holds. */
export function declaredIdentifiers(statement: Statement): Identifier[] {
  if (statement.type !== 'VariableDeclaration') return []
  return statement.declarations.flatMap((declarator) => patternNames(declarator.id))
}

/** An expression under the wrappers TypeScript allows: `(x) satisfies T`, `x as T`, `x!`. */
export function unwrapExpression(node: Node | null | undefined): Node | null | undefined {
  let current = node
  while (current && (current.type === 'TSSatisfiesExpression' || current.type === 'TSAsExpression' || current.type === 'TSNonNullExpression' || current.type === 'ParenthesizedExpression')) {
    current = current.expression
  }
  return current
}

type Where = 'frontmatter' | 'data section'

type StatementRole = 'data' | 'declaration' | 'module'

/**
 * Imports and exports stay at module level; declarations stay where the template can use them:
 * functions, classes, types, and constants (`const SITE = 'https://...'`: nothing to load, and
 * the functions that read them must find them set). `isConstant` says which names are constants
 * so far (earlier constants, and imports).
 */
function roleOf(statement: Statement, where: Where, isConstant: (name: string) => boolean): StatementRole {
  switch (statement.type) {
    case 'ImportDeclaration':
    case 'ExportNamedDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportDefaultDeclaration':
    case 'TSImportEqualsDeclaration':
    case 'TSExportAssignment':
      return where === 'frontmatter' ? 'module' : 'data'
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
    case 'TSTypeAliasDeclaration':
    case 'TSInterfaceDeclaration':
    case 'TSDeclareFunction':
    case 'TSEnumDeclaration':
    case 'TSModuleDeclaration':
      return 'declaration'
    case 'VariableDeclaration':
      // `const fmt = (d) => ...`: a function the template calls, not data (a function cannot be cached).
      return statement.declarations.every(
        (declarator) =>
          declarator.id.type === 'Identifier' &&
          (isFunctionOrClass(unwrapExpression(declarator.init)) || (statement.kind === 'const' && declarator.init != null && isStatic(declarator.init, isConstant))),
      )
        ? 'declaration'
        : 'data'
    default:
      return 'data'
  }
}

function isFunctionOrClass(node: Node | null | undefined): boolean {
  return node?.type === 'ArrowFunctionExpression' || node?.type === 'FunctionExpression' || node?.type === 'ClassExpression'
}

/** A value known without running anything of the page's: literals, and expressions of literals and constants. */
function isStatic(node: Node, isConstant: (name: string) => boolean): boolean {
  const current = unwrapExpression(node)!
  switch (current.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'BigIntLiteral':
    case 'RegExpLiteral':
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
      return true
    case 'Identifier':
      return current.name === 'undefined' || isConstant(current.name)
    case 'TemplateLiteral':
      return current.expressions.every((expression) => isStatic(expression, isConstant))
    case 'UnaryExpression':
      return current.operator !== 'delete' && isStatic(current.argument, isConstant)
    case 'BinaryExpression':
    case 'LogicalExpression':
      return current.left.type !== 'PrivateName' && isStatic(current.left, isConstant) && isStatic(current.right, isConstant)
    case 'ConditionalExpression':
      return isStatic(current.test, isConstant) && isStatic(current.consequent, isConstant) && isStatic(current.alternate, isConstant)
    case 'MemberExpression':
      return !current.computed && isStatic(current.object, isConstant)
    case 'ArrayExpression':
      return current.elements.every((element) => element === null || (element.type !== 'SpreadElement' && isStatic(element, isConstant)))
    case 'ObjectExpression':
      return current.properties.every(
        (property) =>
          property.type === 'ObjectMethod' || (property.type === 'ObjectProperty' && (!property.computed || isStatic(property.key, isConstant)) && isStatic(property.value, isConstant)),
      )
    default:
      return false
  }
}

/**
 * The data section among `statements` (a page function's before its final return, or a
 * frontmatter's), read in `scope`, or undefined when none of them loads anything.
 */
export function dataSection(page: Page, statements: readonly Statement[], scope: Scope, where: Where): Section | undefined {
  const constants = new Set<string>()
  const isConstant = (name: string) => constants.has(name) || scope.lookup(name)?.source.type === 'import'
  const roles = statements.map((statement) => {
    const role = roleOf(statement, where, isConstant)
    if (role === 'declaration' && statement.type === 'VariableDeclaration') for (const declarator of statement.declarations) eachPatternName(declarator.id, (identifier) => constants.add(identifier.name))
    return role
  })
  const tail = statements.findIndex((statement, index) => roles[index] === 'data' && returnsEarly(page, statement, scope))
  const end = tail === -1 ? statements.length : tail
  if (tail !== -1) checkTailLoadsNothing(page, statements.slice(tail), scope, statements[tail]!)
  const first = roles.findIndex((role, index) => index < end && role === 'data')
  if (first === -1) return undefined
  let last = end - 1
  while (roles[last] !== 'data') last--
  const inRange = statements.slice(first, last + 1)
  const moved = inRange.filter((_, index) => roles[first + index] !== 'data')
  const section = { statements: inRange, moved }
  if (moved.length > 0) checkMovedStatements(page, section, scope, where)
  return section
}

/** A `return` (outside nested functions) that is not a call that never returns. */
function returnsEarly(page: Page, statement: Statement, scope: Scope): boolean {
  return page.scopes.factsOf(statement, scope).returns.some((node) => !neverReturns(page, node.argument))
}

/** `notFound()`, `redirect()` of Next.js or SvelteKit, `error()`: calls that throw, by their import. */
function neverReturns({ scopes }: Page, node: Node | null | undefined): boolean {
  const call = unwrapExpression(node?.type === 'AwaitExpression' ? node.argument : node)
  if (call?.type !== 'CallExpression') return false
  const { callee } = call
  const name = callee.type === 'Identifier' ? callee.name : callee.type === 'MemberExpression' && callee.object.type === 'Identifier' ? callee.object.name : undefined
  const binding = name === undefined ? undefined : scopes.module.lookup(name)
  if (binding?.source.type !== 'import') return false
  const member = callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' ? callee.property.name : undefined
  const shape = importedShape(binding.source.source, member !== undefined && binding.source.imported === '*' ? member : binding.source.imported)
  return shape?.kind === 'function' && shape.returns?.kind === 'never'
}

/** After an early return the code runs on every request: loading data there would go uncached. */
function checkTailLoadsNothing({ scopes, source }: Page, tail: readonly Statement[], scope: Scope, early: Statement): void {
  for (const statement of tail) {
    const [wait] = scopes.factsOf(statement, scope).awaits
    if (wait === undefined) continue
    const line = source.locate(early.start!).line
    throw source.error(
      'RV305',
      wait.start!,
      wait.end!,
      `This \`await\` comes after an early \`return\` (line ${line}), so it would run on every request, outside the cache: the data section ends at the first statement that can return.`,
      'load all the data before the check (e.g. `const related = post ? await getRelated(post) : []`), then return; or throw instead of returning (`notFound()`, `error(404)`), which is never cached.',
    )
  }
}

/**
 * Moved statements run before the cached code, and before the bindings it declares are set:
 * a declaration may read them only if the data section never calls it (the template does, later),
 * and an export or a class (evaluated where it stands) may not read them at all.
 */
function checkMovedStatements({ scopes, source }: Page, section: Section, scope: Scope, where: Where): void {
  const movedSet = new Set(section.moved)
  const declaredBy = new Map<Binding, Statement>()
  const sectionBindings = new Set<Binding>()
  for (const statement of section.statements) {
    const names = statementBindings(statement, scope)
    for (const binding of names) (movedSet.has(statement) ? declaredBy.set(binding, statement) : sectionBindings.add(binding))
  }
  const calledFromData = new Set<Statement>()
  const reach = (node: Node) =>
    scopes.eachReference(node, scope, (_identifier, binding) => {
      const statement = binding && declaredBy.get(binding)
      if (statement && !calledFromData.has(statement)) {
        calledFromData.add(statement)
        reach(statement)
      }
    })
  for (const statement of section.statements) if (!movedSet.has(statement)) reach(statement)

  for (const statement of section.moved) {
    // A function's body runs when it is called; anything else is evaluated where it stands.
    const evaluatedInPlace =
      statement.type !== 'FunctionDeclaration' &&
      !(statement.type === 'VariableDeclaration' && statement.declarations.every((declarator) => declarator.init != null && isFunctionNode(unwrapExpression(declarator.init)!)))
    if (!evaluatedInPlace && !calledFromData.has(statement)) continue
    scopes.eachReference(statement, scope, (identifier, binding) => {
      if (!binding || !sectionBindings.has(binding)) return
      const isExport = statement.type.startsWith('Export')
      throw source.error(
        'RV306',
        identifier.start!,
        identifier.end!,
        isExport
          ? `This export reads \`${identifier.name}\`, which the cached ${where} declares; exports run once, at module level, where page data does not exist.`
          : `\`${identifier.name}\` is declared by the cached ${where}, but this declaration stays outside the cached code (the template may use it) and ${calledFromData.has(statement) ? 'is called from the data section, before' : 'runs before'} \`${identifier.name}\` is set.`,
        isExport ? `compute it without \`export\`, in the ${where}.` : `pass \`${identifier.name}\` to it as an argument instead of reading it from the ${where}.`,
      )
    })
  }
}

/** The bindings a top-level statement of the section declares (in `scope`). */
function statementBindings(statement: Statement, scope: Scope): Binding[] {
  const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
  const names = declaration?.type === 'VariableDeclaration' ? declaration.declarations.flatMap((declarator) => patternNames(declarator.id)) : []
  if ((declaration?.type === 'FunctionDeclaration' || declaration?.type === 'ClassDeclaration') && declaration.id) names.push(declaration.id)
  return names.flatMap((name) => scope.bindings.get(name.name) ?? [])
}
