/**
 * Finds what a page loads, in this order (docs/architecture.md, "What page data is"):
 *
 *   1. a loader                  export async function loader({ params }) { ... }
 *                                export const Route = createFileRoute('/p/$id')({ loader })   (the framework's shapes)
 *   2. the data section of the   export default async function Page({ params }) {
 *      async default-exported      const post = await db.post(params.slug)   <- data section
 *      page function               if (!post) return <NotFound />           <- the rest runs per request
 *                                  return <Post post={post} />
 *                                }
 *   3. an `.astro` frontmatter   ---  const posts = await db.posts()  ---
 *
 * A data section ends before its first statement that can `return` (other than returning a call
 * that never returns, such as `notFound()`); what follows runs on every request, outside the
 * cache. Declarations the template uses (functions, classes, constants) and, in a frontmatter,
 * imports and exports are not data: they are moved out of the cached code, before it.
 */
import type {
  ArrowFunctionExpression,
  Expression,
  FunctionDeclaration,
  FunctionExpression,
  Identifier,
  Node,
  ObjectMethod,
  Program,
  Statement,
} from '@babel/types'
import type { SourceText } from './errors.js'
import { importedShape, type Framework } from './frameworks/index.js'
import type { Pragma } from './pragma.js'
import { eachPatternName, eachReference, isFunctionNode, type Binding, type Scope, type Scopes } from './scope.js'
import type { Shape } from './shapes.js'
import { walk } from './walk.js'

export type DataFunction = FunctionDeclaration | FunctionExpression | ArrowFunctionExpression | ObjectMethod

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
  const identifiers: Identifier[] = []
  for (const declarator of statement.declarations) eachPatternName(declarator.id, (identifier) => identifiers.push(identifier))
  return identifiers
}

export type PageData =
  | { kind: 'loader'; name: string; fn: DataFunction; input: Shape; route?: string; deps?: LoaderDeps }
  | { kind: 'page'; fn: DataFunction; section: Section; input: Shape }
  | { kind: 'frontmatter'; section: Section }

interface Context {
  program: Program
  source: SourceText
  pragma: Pragma
  framework: Framework
  scopes: Scopes
  loaderNames: readonly string[]
}

/** A function literal under the wrappers TypeScript allows: `(fn) satisfies T`, `fn as T`, `fn!`. */
function unwrapFunction(node: Node | null | undefined): DataFunction | undefined {
  const current = unwrapExpression(node)
  if (current?.type === 'FunctionExpression' || current?.type === 'ArrowFunctionExpression' || current?.type === 'FunctionDeclaration' || current?.type === 'ObjectMethod') return current
  return undefined
}

function unwrapExpression(node: Node | null | undefined): Node | null | undefined {
  let current = node
  while (current && (current.type === 'TSSatisfiesExpression' || current.type === 'TSAsExpression' || current.type === 'TSNonNullExpression' || current.type === 'ParenthesizedExpression')) {
    current = current.expression
  }
  return current
}

/** The function a top-level name is bound to: `function name() {}` or `const name = () => {}`. */
function functionBoundTo(program: Program, name: string): { fn: DataFunction | undefined; node: Node } | undefined {
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (declaration?.type === 'FunctionDeclaration' && declaration.id?.name === name) return { fn: declaration, node: declaration }
    if (declaration?.type !== 'VariableDeclaration') continue
    for (const declarator of declaration.declarations) {
      if (declarator.id.type === 'Identifier' && declarator.id.name === name) return { fn: unwrapFunction(declarator.init), node: declarator }
    }
  }
  return undefined
}

interface FoundLoader {
  name: string
  fn: DataFunction | undefined
  node: Node
  input: Shape
  route?: string
  deps?: LoaderDeps
}

/**
 * The function that picks a loader's dependencies from the query (TanStack's `loaderDeps`), its
 * input, and the loader's input when the deps it makes are not the query's own names.
 */
export interface LoaderDeps {
  fn: DataFunction
  input: Shape
  loaderInput: Shape
}

function exportedLoaders({ program, loaderNames, framework }: Context): FoundLoader[] {
  const found: FoundLoader[] = []
  const input = (name: string) => framework.loaderInputs?.[name] ?? framework.loaderInput
  for (const statement of program.body) {
    if (statement.type !== 'ExportNamedDeclaration' || statement.exportKind === 'type') continue
    const { declaration } = statement
    if (declaration?.type === 'FunctionDeclaration' && declaration.id && loaderNames.includes(declaration.id.name)) {
      found.push({ name: declaration.id.name, fn: declaration, node: declaration, input: input(declaration.id.name) })
    }
    if (declaration?.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) {
        if (declarator.id.type === 'Identifier' && loaderNames.includes(declarator.id.name)) {
          found.push({ name: declarator.id.name, fn: unwrapFunction(declarator.init), node: declarator, input: input(declarator.id.name) })
        }
      }
    }
    if (statement.source) continue // re-exports from another module are not this page's code
    for (const specifier of statement.specifiers) {
      if (specifier.type !== 'ExportSpecifier' || specifier.exportKind === 'type') continue
      const exported = specifier.exported.type === 'Identifier' ? specifier.exported.name : specifier.exported.value
      if (!loaderNames.includes(exported)) continue
      const bound = functionBoundTo(program, specifier.local.name)
      found.push({ name: exported, fn: bound?.fn, node: bound?.node ?? specifier, input: input(exported) })
    }
  }
  return found
}

/** Loaders written as calls the framework states: `createFileRoute(path)({ loader })`, `routeLoader$(fn)`. */
function calledLoaders({ program, framework, scopes }: Context): FoundLoader[] {
  const found: FoundLoader[] = []
  if (!framework.loaderCalls) return found
  const importOf = (callee: Node) => {
    if (callee.type !== 'Identifier') return undefined
    const binding = scopes.module.lookup(callee.name)
    return binding?.source.type === 'import' ? binding.source : undefined
  }
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (declaration?.type !== 'VariableDeclaration') continue
    for (const declarator of declaration.declarations) {
      const call = unwrapExpression(declarator.init)
      if (call?.type !== 'CallExpression') continue
      for (const shape of framework.loaderCalls) {
        if (shape.form === 'argument') {
          const imported = importOf(call.callee)
          if (imported === undefined || imported.imported !== shape.name || !shape.from.test(imported.source)) continue
          found.push({ name: shape.name, fn: unwrapFunction(call.arguments[0]), node: call, input: framework.loaderInput })
        } else {
          const inner = call.callee
          if (inner.type !== 'CallExpression') continue
          const imported = importOf(inner.callee)
          if (imported === undefined || imported.imported !== shape.name || !shape.from.test(imported.source)) continue
          const options = unwrapExpression(call.arguments[0])
          if (options?.type !== 'ObjectExpression') continue
          const option = (name: string) => options.properties.find((item) => item.type !== 'SpreadElement' && !item.computed && item.key.type === 'Identifier' && item.key.name === name)
          const property = option('loader')
          if (property === undefined || property.type === 'SpreadElement') continue
          // `loader: fetchPost` names a function of the module: that function is the loader.
          const functionOf = (item: typeof property) => {
            const value = item.type === 'ObjectMethod' ? item : unwrapExpression(item.value)
            return value?.type === 'Identifier' ? functionBoundTo(program, value.name)?.fn : unwrapFunction(value)
          }
          const path = inner.arguments[0]
          const route = path?.type === 'StringLiteral' && framework.routeOfLoaderCall ? framework.routeOfLoaderCall(path.value) : undefined
          const depsOption = shape.deps && option(shape.deps.option)
          const depsFn = depsOption && depsOption.type !== 'SpreadElement' ? functionOf(depsOption) : undefined
          const deps = depsFn && shape.deps ? { fn: depsFn, input: shape.deps.input, loaderInput: shape.deps.loaderInput } : undefined
          found.push({ name: 'loader', fn: functionOf(property), node: property, input: framework.loaderInput, route, deps })
        }
      }
    }
  }
  return found
}

function defaultExportedFunction(program: Program): { fn: DataFunction | undefined; node: Node } | undefined {
  for (const statement of program.body) {
    if (statement.type !== 'ExportDefaultDeclaration') continue
    const { declaration } = statement
    if (declaration.type === 'Identifier') return functionBoundTo(program, declaration.name) ?? { fn: undefined, node: declaration }
    return { fn: unwrapFunction(declaration as Expression | FunctionDeclaration), node: declaration }
  }
  return undefined
}

/**
 * The page's data. With `optional` (a page handed whole to the platform's ISR, which caches the
 * rendered page and needs no data section), a page without one is undefined instead of an error.
 */
export function findPageData(program: Program, source: SourceText, pragma: Pragma, loaderNames: readonly string[], frontmatter: boolean, framework: Framework, scopes: Scopes, optional = false): PageData | undefined {
  try {
    return findRequiredPageData(program, source, pragma, loaderNames, frontmatter, framework, scopes)
  } catch (error) {
    if (optional && noPageData.has(error as object)) return undefined
    throw error
  }
}

/** The errors that say a page has no data to cache: not errors where the data is optional. */
const noPageData = new WeakSet<object>()

function findRequiredPageData(program: Program, source: SourceText, pragma: Pragma, loaderNames: readonly string[], frontmatter: boolean, framework: Framework, scopes: Scopes): PageData {
  const context: Context = { program, source, pragma, framework, scopes, loaderNames }
  const noDataAt = (start: number, end: number, problem: string, fix: string) => {
    const error = source.error(start, end, problem, fix)
    noPageData.add(error)
    return error
  }
  const noData = (problem: string) =>
    noDataAt(pragma.start, pragma.end, problem, `export a loader (${loaderNames.join(', ')}) or an async default page function whose statements before its final \`return\` load the data; or remove the pragma.`)

  if (frontmatter) {
    const section = dataSection(program.body, scopes.module, context, 'frontmatter')
    if (section === undefined) throw noData('The pragma has no page data to cache: the frontmatter loads nothing.')
    return { kind: 'frontmatter', section }
  }

  const loaders = [...exportedLoaders(context), ...calledLoaders(context)]
  if (loaders.length > 1) {
    const second = loaders[1]!
    throw source.error(second.node.start!, second.node.end!, `A cached page has one loader; "${loaders[0]!.name}" and "${second.name}" would share the key page:<path>.`, 'merge them into one loader, or move one into another module.')
  }
  const [loader] = loaders
  if (loader !== undefined) {
    if (loader.fn === undefined) {
      throw source.error(loader.node.start!, loader.node.end!, `The loader "${loader.name}" is not a function the pragma can wrap.`, `export it as a function: \`export async function ${loader.name}(...) { ... }\` or \`export const ${loader.name} = async (...) => ...\`.`)
    }
    checkNotGenerator(loader.fn, source)
    return { kind: 'loader', name: loader.name, fn: loader.fn, input: loader.input, route: loader.route, deps: loader.deps }
  }

  const page = defaultExportedFunction(program)
  if (page?.fn === undefined) throw noData('The pragma has no page data to cache: no loader export and no default-exported page function.')
  const { fn } = page
  if (!fn.async || fn.body.type !== 'BlockStatement') {
    throw noDataAt(fn.start!, fn.end!, 'The pragma has no page data to cache: the default-exported page function is not async, so it loads nothing.', 'make it `async` and load the data before its final `return`, or export a loader.')
  }
  checkNotGenerator(fn, source)
  const statements = fn.body.body
  const finalReturn = statements.at(-1)
  const section = finalReturn?.type === 'ReturnStatement' ? dataSection(statements.slice(0, -1), scopes.enter(fn, scopes.module), context, 'data section') : undefined
  if (section === undefined) {
    throw noDataAt(fn.start!, fn.end!, 'The pragma has no page data to cache: the page function needs data-loading statements followed by a final `return`.', 'load the data in statements before the final `return` of the page function.')
  }
  return { kind: 'page', fn, section, input: framework.pageProps }
}

function checkNotGenerator(fn: DataFunction, source: SourceText): void {
  if (fn.generator) throw source.error(fn.start!, fn.end!, 'A generator function cannot be cached.', 'return the data from a plain (async) function.')
}

type StatementRole = 'data' | 'declaration' | 'module'

/**
 * Imports and exports stay at module level; declarations stay where the template can use them:
 * functions, classes, types, and constants (`const SITE = 'https://...'`: nothing to load, and
 * the functions that read them must find them set). `isConstant` says which names are constants
 * so far (earlier constants, and imports).
 */
function roleOf(statement: Statement, where: 'frontmatter' | 'data section', isConstant: (name: string) => boolean): StatementRole {
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
 * frontmatter's), or undefined when none of them loads anything.
 */
function dataSection(statements: readonly Statement[], scope: Scope, context: Context, where: 'frontmatter' | 'data section'): Section | undefined {
  const { source } = context
  const constants = new Set<string>()
  const isConstant = (name: string) => constants.has(name) || scope.lookup(name)?.source.type === 'import'
  const roles = statements.map((statement) => {
    const role = roleOf(statement, where, isConstant)
    if (role === 'declaration' && statement.type === 'VariableDeclaration') for (const declarator of statement.declarations) eachPatternName(declarator.id, (identifier) => constants.add(identifier.name))
    return role
  })
  const tail = statements.findIndex((statement, index) => roles[index] === 'data' && returnsEarly(statement, context))
  const end = tail === -1 ? statements.length : tail
  if (tail !== -1) checkTailLoadsNothing(statements.slice(tail), source, statements[tail]!)
  const first = roles.findIndex((role, index) => index < end && role === 'data')
  if (first === -1) return undefined
  let last = end - 1
  while (roles[last] !== 'data') last--
  const inRange = statements.slice(first, last + 1)
  const moved = inRange.filter((_, index) => roles[first + index] !== 'data')
  const section = { statements: inRange, moved }
  if (moved.length > 0) checkMovedStatements(section, scope, context, where)
  return section
}

/** A `return` (outside nested functions) that is not a call that never returns. */
function returnsEarly(statement: Statement, context: Context): boolean {
  let found = false
  walk(statement, (node) => {
    if (found || isFunctionNode(node) || node.type === 'ClassDeclaration' || node.type === 'ClassExpression') return false
    if (node.type === 'ReturnStatement' && !neverReturns(node.argument, context)) found = true
    return !found
  })
  return found
}

/** `notFound()`, `redirect()` of Next.js or SvelteKit, `error()`: calls that throw, by their import. */
function neverReturns(node: Node | null | undefined, { scopes }: Context): boolean {
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
function checkTailLoadsNothing(tail: readonly Statement[], source: SourceText, early: Statement): void {
  for (const statement of tail) {
    walk(statement, (node) => {
      if (isFunctionNode(node)) return false
      if (node.type === 'AwaitExpression' || (node.type === 'ForOfStatement' && node.await)) {
        const line = source.locate(early.start!).line
        throw source.error(
          node.start!,
          node.end!,
          `This \`await\` comes after an early \`return\` (line ${line}), so it would run on every request, outside the cache: the data section ends at the first statement that can return.`,
          'load all the data before the check (e.g. `const related = post ? await getRelated(post) : []`), then return; or throw instead of returning (`notFound()`, `error(404)`), which is never cached.',
        )
      }
      return true
    })
  }
}

/**
 * Moved statements run before the cached code, and before the bindings it declares are set:
 * a declaration may read them only if the data section never calls it (the template does, later),
 * and an export or a class (evaluated where it stands) may not read them at all.
 */
function checkMovedStatements(section: Section, scope: Scope, { scopes, source }: Context, where: 'frontmatter' | 'data section'): void {
  const movedSet = new Set(section.moved)
  const declaredBy = new Map<Binding, Statement>()
  const sectionBindings = new Set<Binding>()
  for (const statement of section.statements) {
    const names = statementBindings(statement, scope)
    for (const binding of names) (movedSet.has(statement) ? declaredBy.set(binding, statement) : sectionBindings.add(binding))
  }
  const calledFromData = new Set<Statement>()
  const reach = (node: Node) =>
    eachReference(node, scope, scopes, (_identifier, binding) => {
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
    eachReference(statement, scope, scopes, (identifier, binding) => {
      if (!binding || !sectionBindings.has(binding)) return
      const isExport = statement.type.startsWith('Export')
      throw source.error(
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
  const names: string[] = []
  if (declaration?.type === 'VariableDeclaration') {
    for (const declarator of declaration.declarations) eachPatternName(declarator.id, (identifier) => names.push(identifier.name))
  }
  if ((declaration?.type === 'FunctionDeclaration' || declaration?.type === 'ClassDeclaration') && declaration.id) names.push(declaration.id.name)
  return names.flatMap((name) => scope.bindings.get(name) ?? [])
}
