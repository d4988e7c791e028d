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
 * What a data section is (where it ends, what stays outside the cached code) is data-section.ts's.
 */
import type { ArrowFunctionExpression, FunctionDeclaration, FunctionExpression, Node, ObjectMethod } from '@babel/types'
import { dataSection, unwrapExpression, type Section } from './data-section.js'
import { RevalidateError, type SourceText } from './errors.js'
import { defaultExportedFunction, functionBoundTo, unwrapFunction } from './module-exports.js'
import type { Page } from './page.js'
import type { Shape } from './shapes.js'

export type DataFunction = FunctionDeclaration | FunctionExpression | ArrowFunctionExpression | ObjectMethod

export type PageData =
  | { kind: 'loader'; name: string; fn: DataFunction; input: Shape; route?: string; deps?: LoaderDeps }
  | { kind: 'page'; fn: DataFunction; section: Section; input: Shape }
  | { kind: 'frontmatter'; section: Section }

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

function exportedLoaders({ program, options, framework }: Page): FoundLoader[] {
  const found: FoundLoader[] = []
  const loaderNames = options.loaders
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
function calledLoaders({ program, framework, scopes }: Page): FoundLoader[] {
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

/**
 * The page's data. With `optional` (a page handed whole to the platform's ISR, which caches the
 * rendered page and needs no data section), a page without one is undefined instead of an error.
 */
export function findPageData(page: Page, optional = false): PageData | undefined {
  try {
    return findRequiredPageData(page)
  } catch (error) {
    // Only "no page data" is not an error where the data is optional.
    if (optional && error instanceof RevalidateError && error.code === 'RV301') return undefined
    throw error
  }
}

function findRequiredPageData(page: Page): PageData {
  const { program, source, pragma, framework, scopes } = page
  const noDataAt = (start: number, end: number, problem: string, fix: string) => source.error('RV301', start, end, problem, fix)
  const noData = (problem: string) =>
    noDataAt(pragma.start, pragma.end, problem, `export a loader (${page.options.loaders.join(', ')}) or an async default page function whose statements before its final \`return\` load the data; or remove the pragma.`)

  if (page.frontmatter) {
    const section = dataSection(page, program.body, scopes.module, 'frontmatter')
    if (section === undefined) throw noData('The pragma has no page data to cache: the frontmatter loads nothing.')
    return { kind: 'frontmatter', section }
  }

  const loaders = [...exportedLoaders(page), ...calledLoaders(page)]
  if (loaders.length > 1) {
    const second = loaders[1]!
    throw source.error('RV302', second.node.start!, second.node.end!, `A cached page has one loader; "${loaders[0]!.name}" and "${second.name}" would share the key page:<path>.`, 'merge them into one loader, or move one into another module.')
  }
  const [loader] = loaders
  if (loader !== undefined) {
    if (loader.fn === undefined) {
      throw source.error('RV302', loader.node.start!, loader.node.end!, `The loader "${loader.name}" is not a function the pragma can wrap.`, `export it as a function: \`export async function ${loader.name}(...) { ... }\` or \`export const ${loader.name} = async (...) => ...\`.`)
    }
    checkNotGenerator(loader.fn, source)
    return { kind: 'loader', name: loader.name, fn: loader.fn, input: loader.input, route: loader.route, deps: loader.deps }
  }

  const pageFunction = defaultExportedFunction(program)
  if (pageFunction?.fn === undefined) throw noData('The pragma has no page data to cache: no loader export and no default-exported page function.')
  const { fn } = pageFunction
  if (!fn.async || fn.body.type !== 'BlockStatement') {
    throw noDataAt(fn.start!, fn.end!, 'The pragma has no page data to cache: the default-exported page function is not async, so it loads nothing.', 'make it `async` and load the data before its final `return`, or export a loader.')
  }
  checkNotGenerator(fn, source)
  const statements = fn.body.body
  const finalReturn = statements.at(-1)
  const section = finalReturn?.type === 'ReturnStatement' ? dataSection(page, statements.slice(0, -1), scopes.enter(fn, scopes.module), 'data section') : undefined
  if (section === undefined) {
    throw noDataAt(fn.start!, fn.end!, 'The pragma has no page data to cache: the page function needs data-loading statements followed by a final `return`.', 'load the data in statements before the final `return` of the page function.')
  }
  return { kind: 'page', fn, section, input: framework.pageProps }
}

function checkNotGenerator(fn: DataFunction, source: SourceText): void {
  if (fn.generator) throw source.error('RV303', fn.start!, fn.end!, 'A generator function cannot be cached.', 'return the data from a plain (async) function.')
}

