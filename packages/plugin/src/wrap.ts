/**
 * Wraps page data in the runtime's `cachePage` with edits on the original text, for node, browser
 * and cloudflare. Inserted code stays on the lines it replaces, so line numbers do not move.
 *
 * What the page is (route, ttl, version of its data code, its module where several loaders render
 * one URL, what its framework tracks) is one constant next to the runtime import; each call passes
 * it with the loader's context and a function that makes the fetcher from that context (the
 * runtime may hand back the context seen through a recorder, for frameworks that track reads).
 *
 * A loader keeps its name, arity, types, `this` and `arguments`; its body becomes the fetcher:
 *
 *   export async function loader({ params }) { return db.post(params.slug) }
 *   ->
 *   export async function loader(__rv_ctx) {return __rv_cachePage(__rv_page, __rv_ctx, (__rv_ctx) => {
 *     let { params } = __rv_ctx; return async () => { return db.post(params.slug) }});}
 *
 * A loader that declares no parameter still gets its context: `arguments[0]`, or for an arrow a
 * rest parameter (which leaves its `length` as it was). A synchronous loader with a declared return
 * type `T` now returns a promise: `Promise<Awaited<T>>`.
 *
 * A page function's data section (or an Astro frontmatter) becomes the fetcher; its bindings are
 * returned and destructured in place, so the final `return` reads them unchanged (declarations
 * the section holds, such as helper functions, are moved before the fetcher):
 *
 *   export default async function Page(props) { const posts = await db.posts(); return <List posts={posts} /> }
 *   ->
 *   export default async function Page(props) { const { posts } = await __rv_cachePage(__rv_page, { ...props,
 *     params: await Object(props).params, searchParams: await Object(props).searchParams },
 *     () => async () => { const posts = await db.posts();; return { posts } }); return <List posts={posts} /> }
 */
import type { Statement } from '@babel/types'
import type { SourceEdits } from './edits.js'
import type { Framework } from './frameworks/index.js'
import { returnTypeAsPromise, wrapBody } from './function-body.js'
import { dataStatements, declaredIdentifiers, type Section } from './data-section.js'
import type { DataFunction, PageData } from './page-data.js'
import type { Pragma } from './pragma.js'

export interface RuntimeNames {
  cachePage: string
  page: string
  context: string
  /** The pages router's revalidate constant (vercel.ts). */
  isr: string
}

export interface WrapInput {
  data: PageData
  pragma: Pragma
  route: string
  version: string
  names: RuntimeNames
  framework: Framework
  /** The page's module, relative to the project root, without extension: the part of its key. */
  module: string
  typescript: boolean
}

/** How the wrapper reaches the function's first parameter (the loader context or page props). */
interface ContextAccess {
  /** The context, as the caller passed it. */
  expression: string
  /** The parameter of the fetcher factory: the body reads the context through it. */
  view: string
  /** Restores a destructuring pattern that was replaced by a plain parameter. */
  prologue: string
}

function accessContext(edits: SourceEdits, fn: DataFunction, input: WrapInput): ContextAccess {
  const { names } = input
  const first = fn.params.find((param) => !(param.type === 'Identifier' && param.name === 'this')) // a TypeScript `this` type is no parameter
  if (first === undefined) return { expression: contextWithoutParameter(edits, fn, input), view: names.context, prologue: '' }
  const target = first.type === 'AssignmentPattern' ? first.left : first
  // Named: the factory's parameter takes the same name, so the body reads the view unchanged.
  if (target.type === 'Identifier') return { expression: target.name, view: target.name, prologue: '' }
  if (target.type === 'RestElement' && target.argument.type === 'Identifier') {
    return { expression: `${target.argument.name}[0]`, view: names.context, prologue: '' }
  }
  // A pattern such as `{ params }: Args`: the parameter becomes `__rv_ctx: Args` (same arity,
  // same type) and the pattern is destructured from the view first thing in the fetcher factory.
  const typeStart = 'typeAnnotation' in target && target.typeAnnotation ? target.typeAnnotation.start! : target.end!
  const pattern = edits.original.slice(target.start!, typeStart)
  edits.replace(target.start!, typeStart, names.context)
  return { expression: names.context, view: names.context, prologue: `let ${pattern} = ${names.context}; ` }
}

/**
 * The context of a loader that declares no parameter (`export async function loader()`): the
 * framework passes it all the same, and the key needs its URL.
 */
function contextWithoutParameter(edits: SourceEdits, fn: DataFunction, { names, typescript }: WrapInput): string {
  if (fn.type !== 'ArrowFunctionExpression') return 'arguments[0]'
  // An arrow has no `arguments`: a rest parameter, which `length` does not count.
  const open = edits.original.indexOf('(', fn.start!)
  edits.insert(open + 1, `...${names.context}${typescript ? ': any[]' : ''}`)
  return `${names.context}[0]`
}

/** The page constant the wrapped code passes to `cachePage`: everything known at build time. */
export function pageConstant(input: Pick<WrapInput, 'pragma' | 'route' | 'version' | 'framework' | 'module' | 'names'>): string {
  const { pragma, framework } = input
  const page: Record<string, unknown> = { route: input.route, ttl: pragma.ttl, version: input.version }
  if (framework.nestedLoaders) page.part = input.module
  if (pragma.query.length > 0) page.query = pragma.query
  if (pragma.tags.length > 0) page.tags = pragma.tags
  if (pragma.staleSeconds !== undefined) page.staleSeconds = pragma.staleSeconds
  if (framework.tracking) page.tracking = framework.tracking
  return `const ${input.names.page} = ${JSON.stringify(page)}; `
}

export function wrapPageData(edits: SourceEdits, input: WrapInput): void {
  const { data } = input
  if (data.kind === 'loader') wrapLoader(edits, data.fn, input)
  else if (data.kind === 'page') wrapDataSection(edits, data.section, input, accessContext(edits, data.fn, input), true)
  else wrapDataSection(edits, data.section, input, { expression: 'Astro', view: input.names.context, prologue: '' }, false)
}

function wrapLoader(edits: SourceEdits, fn: DataFunction, input: WrapInput): void {
  const { names } = input
  const context = accessContext(edits, fn, input)
  const call = `${names.cachePage}(${names.page}, ${context.expression}, (${context.view}) => { ${context.prologue}return async () => `
  returnTypeAsPromise(edits, fn) // a synchronous loader now returns a promise
  wrapBody(edits, fn, { block: [`return ${call}{`, `}});`], expression: [`{ return ${call}(`, `) }) }`] })
}

function wrapDataSection(edits: SourceEdits, section: Section, input: WrapInput, context: ContextAccess, awaitProps: boolean): void {
  const { names } = input
  const data = dataStatements(section)
  const bindings = [...new Set(data.flatMap(declaredIdentifiers).map((identifier) => identifier.name))].join(', ')
  // Next.js 15+ passes `params` and `searchParams` as promises; the key needs their values. Read
  // through `Object()` (any to TypeScript): typed props may declare only one of them.
  const props = `Object(${context.expression})`
  const keyContext = awaitProps ? `{ ...${context.expression}, params: await ${props}.params, searchParams: await ${props}.searchParams }` : context.expression
  const receive = bindings === '' ? 'await ' : `${declarationKind(data)} { ${bindings} } = await `
  const start = section.statements[0]!.start!
  const end = section.statements.at(-1)!.end!
  if (context.prologue) edits.insert(start, context.prologue)
  for (const statement of section.moved) {
    edits.move(statement.start!, statement.end!, start)
    edits.insert(start, '; ') // the statement may end without a semicolon
  }
  // The section reads its bindings, not the factory's parameter: the view goes unused here.
  edits.insert(start, `${receive}${names.cachePage}(${names.page}, ${keyContext}, () => async () => { `)
  edits.insert(end, `; return { ${bindings} } });`)
}

/** How the section's names come back declared: as the section declared them (a `var` may be declared again below). */
function declarationKind(data: readonly Statement[]): 'var' | 'let' | 'const' {
  const kinds = data.flatMap((statement) => (statement.type === 'VariableDeclaration' ? [statement.kind] : []))
  if (kinds.includes('var')) return 'var'
  return kinds.every((kind) => kind === 'const') ? 'const' : 'let'
}
