/**
 * Wraps page data in `withRevalidate` with edits on the original text, for node, browser and
 * cloudflare. Inserted code stays on the lines it replaces, so line numbers do not move.
 *
 * A loader keeps its name, arity, types, `this` and `arguments`; its body becomes the fetcher:
 *
 *   export async function loader({ params }) { return db.post(params.slug) }
 *   ->
 *   export async function loader(__rv_ctx) {let { params } = __rv_ctx; return __rv_withRevalidate(
 *     __rv_pageKey("/posts/[slug]", __rv_ctx), 60, async () => { return db.post(params.slug) }, {…});}
 *
 * A synchronous loader with a declared return type `T` now returns a promise: `Promise<Awaited<T>>`.
 *
 * A page function's data section becomes the fetcher; its bindings are returned and destructured
 * in place, so the final `return` reads them unchanged (declarations the section holds, such as
 * helper functions, are moved before the fetcher, where the template still sees them):
 *
 *   export default async function Page() { const posts = await db.posts(); return <List posts={posts} /> }
 *   ->
 *   export default async function Page() { const { posts } = await __rv_withRevalidate(__rv_pageKey("/", undefined),
 *     60, async () => { const posts = await db.posts();; return { posts } }, {…}); return <List posts={posts} /> }
 */
import type { SourceEdits } from './edits.js'
import { dataStatements, declaredIdentifiers, type DataFunction, type PageData, type Section } from './page-data.js'
import type { Pragma } from './pragma.js'

export interface RuntimeNames {
  withRevalidate: string
  pageKey: string
  context: string
}

export interface WrapInput {
  data: PageData
  pragma: Pragma
  route: string
  version: string
  names: RuntimeNames
}

/** How the wrapper reaches the function's first parameter (the loader context or page props). */
interface ContextAccess {
  expression: string
  /** Restores a destructuring pattern that was replaced by a plain parameter. */
  prologue: string
}

function accessContext(edits: SourceEdits, fn: DataFunction, names: RuntimeNames): ContextAccess {
  const first = fn.params.find((param) => !(param.type === 'Identifier' && param.name === 'this')) // a TypeScript `this` type is no parameter
  if (first === undefined) return { expression: 'undefined', prologue: '' }
  const target = first.type === 'AssignmentPattern' ? first.left : first
  if (target.type === 'Identifier') return { expression: target.name, prologue: '' }
  if (target.type === 'RestElement' && target.argument.type === 'Identifier') {
    return { expression: `${target.argument.name}[0]`, prologue: '' }
  }
  // A pattern such as `{ params }: Args`: the parameter becomes `__rv_ctx: Args` (same arity,
  // same type) and the pattern is destructured from it first thing in the body, as before.
  const typeStart = 'typeAnnotation' in target && target.typeAnnotation ? target.typeAnnotation.start! : target.end!
  const pattern = edits.original.slice(target.start!, typeStart)
  edits.replace(target.start!, typeStart, names.context)
  return { expression: names.context, prologue: `let ${pattern} = ${names.context}; ` }
}

function optionsLiteral(pragma: Pragma, version: string): string {
  const parts = [`version: ${JSON.stringify(version)}`]
  if (pragma.tags.length > 0) parts.push(`tags: ${JSON.stringify(pragma.tags)}`)
  if (pragma.staleSeconds !== undefined) parts.push(`staleSeconds: ${pragma.staleSeconds}`)
  return `{ ${parts.join(', ')} }`
}

function keyCall(input: WrapInput, context: string): string {
  const query = input.pragma.query.length > 0 ? `, ${JSON.stringify(input.pragma.query)}` : ''
  return `${input.names.pageKey}(${JSON.stringify(input.route)}, ${context}${query})`
}

export function wrapPageData(edits: SourceEdits, input: WrapInput): void {
  const { data } = input
  if (data.kind === 'loader') wrapLoader(edits, data.fn, input)
  else if (data.kind === 'page') wrapDataSection(edits, data.section, input, accessContext(edits, data.fn, input.names), true)
  else wrapDataSection(edits, data.section, input, { expression: 'Astro', prologue: '' }, false)
}

function wrapLoader(edits: SourceEdits, fn: DataFunction, input: WrapInput): void {
  const { names, pragma } = input
  const context = accessContext(edits, fn, names)
  const call = `${names.withRevalidate}(${keyCall(input, context.expression)}, ${pragma.ttl}, async () => `
  const options = optionsLiteral(pragma, input.version)
  // A synchronous loader now returns a promise; its declared return type says so too.
  if (!fn.async && fn.returnType?.type === 'TSTypeAnnotation') {
    edits.insert(fn.returnType.typeAnnotation.start!, 'Promise<Awaited<')
    edits.insert(fn.returnType.typeAnnotation.end!, '>>')
  }
  if (fn.body.type === 'BlockStatement') {
    edits.insert(fn.body.start! + 1, `${context.prologue}return ${call}{`)
    edits.insert(fn.body.end! - 1, `}, ${options});`)
    return
  }
  // An expression body, parenthesized or not: the arrow ends where its body does.
  const extra = fn.body.extra as { parenthesized?: boolean; parenStart?: number } | undefined
  const bodyStart = extra?.parenthesized ? extra.parenStart! : fn.body.start!
  edits.insert(bodyStart, `{ ${context.prologue}return ${call}(`)
  edits.insert(fn.end!, `), ${options}) }`)
}

function wrapDataSection(edits: SourceEdits, section: Section, input: WrapInput, context: ContextAccess, awaitProps: boolean): void {
  const { names, pragma } = input
  const data = dataStatements(section)
  const bindings = [...new Set(data.flatMap(declaredIdentifiers).map((identifier) => identifier.name))].join(', ')
  const onlyConst = data.every((statement) => statement.type !== 'VariableDeclaration' || statement.kind === 'const')
  // Next.js 15+ passes `params` and `searchParams` as promises; the key needs their values. Read
  // through `Object()` (any to TypeScript): typed props may declare only one of them.
  const props = `Object(${context.expression})`
  const keyContext =
    awaitProps && context.expression !== 'undefined' ? `{ ...${context.expression}, params: await ${props}.params, searchParams: await ${props}.searchParams }` : context.expression
  const receive = bindings === '' ? 'await ' : `${onlyConst ? 'const' : 'let'} { ${bindings} } = await `
  const start = section.statements[0]!.start!
  const end = section.statements.at(-1)!.end!
  if (context.prologue) edits.insert(start, context.prologue)
  for (const statement of section.moved) {
    edits.move(statement.start!, statement.end!, start)
    edits.insert(start, '; ') // the statement may end without a semicolon
  }
  edits.insert(start, `${receive}${names.withRevalidate}(${keyCall(input, keyContext)}, ${pragma.ttl}, async () => { `)
  edits.insert(end, `; return { ${bindings} } }, ${optionsLiteral(pragma, input.version)});`)
}
