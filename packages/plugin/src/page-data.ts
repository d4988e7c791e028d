/**
 * Finds what a page loads, in the design's order:
 *
 *   1. an exported loader        export async function loader({ params }) { ... }
 *   2. the data section of the   export default async function Page({ params }) {
 *      async default-exported      const post = await db.post(params.slug)   <- data section
 *      page function               return <Post post={post} />                <- the template
 *                                }
 *   3. an `.astro` frontmatter   ---  const posts = await db.posts()  ---
 */
import type {
  ArrowFunctionExpression,
  Expression,
  FunctionDeclaration,
  FunctionExpression,
  Node,
  Program,
  ReturnStatement,
  Statement,
} from '@babel/types'
import type { SourceText } from './errors.js'
import type { Pragma } from './pragma.js'
import { walk } from './walk.js'

export type DataFunction = FunctionDeclaration | FunctionExpression | ArrowFunctionExpression

export type PageData =
  | { kind: 'loader'; name: string; fn: DataFunction }
  | { kind: 'page'; fn: DataFunction; section: Statement[]; finalReturn: ReturnStatement }
  | { kind: 'frontmatter'; section: Statement[] }

/** A function literal under the wrappers TypeScript allows: `(fn) satisfies T`, `fn as T`, `fn!`. */
function unwrapFunction(node: Node | null | undefined): DataFunction | undefined {
  let current = node
  while (current && (current.type === 'TSSatisfiesExpression' || current.type === 'TSAsExpression' || current.type === 'TSNonNullExpression' || current.type === 'ParenthesizedExpression')) {
    current = current.expression
  }
  if (current?.type === 'FunctionExpression' || current?.type === 'ArrowFunctionExpression' || current?.type === 'FunctionDeclaration') return current
  return undefined
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

interface ExportedFunction {
  name: string
  fn: DataFunction | undefined
  node: Node
}

function exportedLoaders(program: Program, loaderNames: readonly string[]): ExportedFunction[] {
  const found: ExportedFunction[] = []
  for (const statement of program.body) {
    if (statement.type !== 'ExportNamedDeclaration' || statement.exportKind === 'type') continue
    const { declaration } = statement
    if (declaration?.type === 'FunctionDeclaration' && declaration.id && loaderNames.includes(declaration.id.name)) {
      found.push({ name: declaration.id.name, fn: declaration, node: declaration })
    }
    if (declaration?.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) {
        if (declarator.id.type === 'Identifier' && loaderNames.includes(declarator.id.name)) {
          found.push({ name: declarator.id.name, fn: unwrapFunction(declarator.init), node: declarator })
        }
      }
    }
    if (statement.source) continue // re-exports from another module are not this page's code
    for (const specifier of statement.specifiers) {
      if (specifier.type !== 'ExportSpecifier' || specifier.exportKind === 'type') continue
      const exported = specifier.exported.type === 'Identifier' ? specifier.exported.name : specifier.exported.value
      if (!loaderNames.includes(exported)) continue
      const bound = functionBoundTo(program, specifier.local.name)
      found.push({ name: exported, fn: bound?.fn, node: bound?.node ?? specifier })
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

export function findPageData(program: Program, source: SourceText, pragma: Pragma, loaderNames: readonly string[], frontmatter: boolean): PageData {
  const noData = (problem: string) =>
    source.error(pragma.start, pragma.end, problem, `export a loader (${loaderNames.join(', ')}) or an async default page function whose statements before its final \`return\` load the data; or remove the pragma.`)

  if (frontmatter) {
    const section = program.body.filter((statement) => !isModuleLevelOnly(statement))
    if (section.length === 0) throw noData('The pragma has no page data to cache: the frontmatter loads nothing.')
    checkNoReturn(section, source, 'frontmatter')
    return { kind: 'frontmatter', section }
  }

  const loaders = exportedLoaders(program, loaderNames)
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
    return { kind: 'loader', name: loader.name, fn: loader.fn }
  }

  const page = defaultExportedFunction(program)
  if (page?.fn === undefined) throw noData('The pragma has no page data to cache: no loader export and no default-exported page function.')
  const { fn } = page
  if (!fn.async || fn.body.type !== 'BlockStatement') {
    throw source.error(fn.start!, fn.end!, 'The pragma has no page data to cache: the default-exported page function is not async, so it loads nothing.', 'make it `async` and load the data before its final `return`, or export a loader.')
  }
  checkNotGenerator(fn, source)
  const statements = fn.body.body
  const finalReturn = statements.at(-1)
  if (finalReturn?.type !== 'ReturnStatement' || statements.length < 2) {
    throw source.error(fn.start!, fn.end!, 'The pragma has no page data to cache: the page function needs data-loading statements followed by a final `return`.', 'load the data in statements before the final `return` of the page function.')
  }
  const section = statements.slice(0, -1)
  checkNoReturn(section, source, 'data section')
  for (const statement of section) {
    if (statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') {
      throw source.error(statement.start!, statement.end!, 'A function or class declared in the data section is not data and cannot be cached.', 'declare it outside the page function.')
    }
  }
  return { kind: 'page', fn, section, finalReturn }
}

/** Statements that stay at module level in a frontmatter: imports, exports and type declarations. */
function isModuleLevelOnly(statement: Statement): boolean {
  return (
    statement.type === 'ImportDeclaration' ||
    statement.type === 'ExportNamedDeclaration' ||
    statement.type === 'ExportAllDeclaration' ||
    statement.type === 'TSTypeAliasDeclaration' ||
    statement.type === 'TSInterfaceDeclaration'
  )
}

function checkNotGenerator(fn: DataFunction, source: SourceText): void {
  if (fn.generator) throw source.error(fn.start!, fn.end!, 'A generator function cannot be cached.', 'return the data from a plain (async) function.')
}

/** A `return` inside the data section would leave the fetcher early with something that is not the data. */
function checkNoReturn(section: Statement[], source: SourceText, where: string): void {
  for (const statement of section) {
    walk(statement, (node) => {
      if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression' || node.type === 'ObjectMethod' || node.type === 'ClassMethod') return false
      if (node.type === 'ReturnStatement') {
        throw source.error(node.start!, node.end!, `An early \`return\` in the ${where} cannot be cached: the cached data would be the returned value.`, 'throw instead (as notFound() and redirect() do), or move the check below the data section.')
      }
      return true
    })
  }
}
