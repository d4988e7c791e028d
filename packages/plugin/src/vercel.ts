/**
 * The vercel target leaves the data alone and hands the page to its framework's ISR on Vercel, in
 * the form that framework reads (its table's `vercel`):
 *
 *   next, app router     export const revalidate = 60; export default async function Page() ...
 *   next, pages router   export async function getStaticProps(ctx) { return { ...(await (async () => {
 *                          <its body> })()), revalidate: __rv_isr } }
 *   sveltekit            export const config = { isr: { expiration: 60 } }; export async function load() ...
 *   build-output         export const revalidate = 60 (a plain Vite SSR app: the Vite plugin writes
 *                        Build Output prerender configs for these pages)
 *
 * A framework without per-page ISR on Vercel has no `vercel` in its table: its pages are wrapped
 * as on node (transform.ts), and the build says so.
 */
import type { Program, Statement } from '@babel/types'
import type { SourceEdits } from './edits.js'
import type { SourceText } from './errors.js'
import type { VercelIsr } from './frameworks/index.js'
import { returnTypeAsPromise, wrapBody } from './function-body.js'
import { exportedConst } from './module-exports.js'
import type { ResolvedOptions } from './options.js'
import type { DataFunction, PageData } from './page-data.js'
import type { Pragma } from './pragma.js'

/** A page as Vercel's ISR would take it: what is checked before anything is written. */
export interface HandoverInput {
  program: Program
  pragma: Pragma
  source: SourceText
  options: Pick<ResolvedOptions, 'nextCacheComponents'>
  data: PageData | undefined
  isr: VercelIsr
}

export interface VercelInput extends HandoverInput {
  edits: SourceEdits
  /** The local name of the pages router's revalidate constant (`__rv_isr`). */
  isrName: string
}

/** How the page is handed over, for the build's list of cached pages. */
export type Handover = 'route segment config' | 'getStaticProps' | 'config.isr' | 'Build Output'

/**
 * How the page goes to its framework's ISR, checked before anything is written: a page the
 * platform cannot cache, or an option of the pragma it cannot express, is an error, never dropped.
 */
export function checkHandover(input: HandoverInput): Handover {
  if (input.isr === 'sveltekit') {
    checkOptions(input, 'SvelteKit', true)
    checkNoConfigExport(input)
    return 'config.isr'
  }
  if (input.isr === 'build-output') {
    checkOptions(input, 'A Vite app', true)
    return 'Build Output'
  }
  const { data } = input
  if (data?.kind === 'loader' && data.name === 'getServerSideProps') {
    throw input.source.error(
      'RV503',
      data.fn.start!,
      data.fn.end!,
      'Next.js renders a page with getServerSideProps on every request and never caches it (ISR is for getStaticProps), so the pragma would do nothing.',
      'load the data with getStaticProps (and getStaticPaths for a dynamic route), or remove the pragma.',
    )
  }
  if (data?.kind === 'loader' && data.name === 'getStaticProps') {
    checkOptions(input, 'Next.js', false)
    return 'getStaticProps'
  }
  checkNoCacheComponents(input)
  checkOptions(input, 'Next.js', false)
  return 'route segment config'
}

/** Hands the page to its framework's ISR, in the form that framework reads. */
export function handToVercel(input: VercelInput): Handover {
  const handover = checkHandover(input)
  const { edits, pragma, program, data } = input
  const first = firstStatement(program).start!
  if (handover === 'config.isr') {
    const isr = pragma.query.length > 0 ? `{ expiration: ${pragma.ttl}, allowQuery: ${JSON.stringify(pragma.query)} }` : `{ expiration: ${pragma.ttl} }`
    edits.insert(first, `export const config = { isr: ${isr} }; `)
  } else if (handover === 'getStaticProps' && data?.kind === 'loader') {
    staticPropsRevalidate(input, data.fn)
  } else {
    edits.insert(first, `export const revalidate = ${pragma.ttl}; `)
  }
  return handover
}

/**
 * What caches the page, for messages: Next.js does ISR itself (`next start`, and on Vercel);
 * SvelteKit and a plain Vite app are handed to Vercel's.
 */
function isrOf(framework: string): string {
  return framework === 'Next.js' ? "Next.js's ISR (the route segment config `revalidate`, on `next start` as on Vercel)" : `${framework} on Vercel`
}

/** The platform reads only a page's ttl: an option of the pragma it cannot express is an error, never dropped. */
function checkOptions({ pragma, source }: HandoverInput, framework: string, allowQuery: boolean): void {
  const fail = (problem: string, fix: string) => source.error('RV504', pragma.start, pragma.end, problem, fix)
  if (pragma.staleSeconds !== undefined) {
    throw fail(
      `${isrOf(framework)} caches a page for its ttl and has no per-page \`stale\`: the option would be dropped.`,
      framework === 'Next.js' ? 'remove `stale`; how long a stale page may be served is `expireTime` in next.config, for the whole app.' : 'remove `stale` from the pragma.',
    )
  }
  if (pragma.tags.length > 0) {
    throw fail(
      `${isrOf(framework)} has no tags for ${framework === 'Next.js' ? 'a page' : "a page's ISR"}: \`tags\` would be dropped.`,
      framework === 'Next.js'
        ? "remove `tags`; tag the page's data instead (`fetch(url, { next: { tags } })`, or `cacheTag()` in a 'use cache' function) and revalidate it with `revalidateTag`."
        : "remove `tags`; invalidate the page by its path (`invalidate('page:<path>')`).",
    )
  }
  if (pragma.query.length > 0 && !allowQuery) {
    throw fail(
      `${framework} renders a page that reads its query string on every request, so ISR keeps no entry per query: \`query\` would be dropped.`,
      'remove `query` (and the query reads from the cached page), or move what varies by query into a route parameter.',
    )
  }
}

function checkNoCacheComponents({ options, source, pragma }: HandoverInput): void {
  if (!options.nextCacheComponents) return
  throw source.error(
    'RV502',
    pragma.start,
    pragma.end,
    'With cacheComponents on, Next.js rejects route segment config such as `revalidate`, which is what the pragma compiles to on Vercel.',
    `remove the pragma and cache the data with \`'use cache'\` and \`cacheLife({ revalidate: ${pragma.ttl} })\` from next/cache, or turn cacheComponents off.`,
  )
}

function firstStatement(program: Program): Statement {
  return program.body[0]!
}

/** Next's pages router reads `revalidate` from the object getStaticProps returns, on every return. */
function staticPropsRevalidate(input: VercelInput, fn: DataFunction): void {
  const { edits, isrName, pragma, program } = input
  edits.insert(firstStatement(program).start!, `const ${isrName} = ${pragma.ttl}; `)
  returnTypeAsPromise(edits, fn)
  if (!fn.async) edits.insert(fn.start!, 'async ')
  wrapBody(edits, fn, {
    block: ['return { ...(await (async () => {', `})()), revalidate: ${isrName} };`],
    expression: ['({ ...(await (', `)), revalidate: ${isrName} })`],
  })
}

/** SvelteKit reads a page's ISR from `export const config = { isr: { expiration } }` (adapter-vercel), which the pragma writes. */
function checkNoConfigExport({ program, pragma, source }: HandoverInput): void {
  const existing = exportedConst(program, 'config')
  if (existing === undefined) return
  throw source.error(
    'RV505',
    existing.start!,
    existing.end!,
    'The page exports its own `config`, where the pragma would put its ISR settings.',
    `add \`isr: { expiration: ${pragma.ttl} }\` to this config and remove the pragma.`,
  )
}

/** The literal of an existing `export const revalidate = <n>`, or undefined if there is none. */
export function existingRevalidateExport(program: Program): { value: number | undefined; start: number; end: number } | undefined {
  const init = exportedConst(program, 'revalidate')
  if (init === undefined) return undefined
  return { value: init.type === 'NumericLiteral' ? init.value : undefined, start: init.start!, end: init.end! }
}

/**
 * Whether a page was handed to Vercel by an earlier pass: its revalidate export, its `config.isr`,
 * or the pages router's revalidate constant.
 */
export function handedToVercel(program: Program, pragma: Pragma, source: SourceText, isrName: RegExp): boolean {
  const existing = existingRevalidateExport(program)
  if (existing !== undefined) {
    if (existing.value === pragma.ttl) return true
    throw source.error('RV501', existing.start, existing.end, `The page exports its own \`revalidate\`, which disagrees with the pragma's ${pragma.ttl} seconds.`, 'keep one: the pragma, or the export.')
  }
  const config = exportedConst(program, 'config')
  if (config?.type === 'ObjectExpression' && config.properties.some((property) => property.type === 'ObjectProperty' && property.key.type === 'Identifier' && property.key.name === 'isr')) return true
  return program.body.some((statement) => statement.type === 'VariableDeclaration' && statement.declarations.some((declarator) => declarator.id.type === 'Identifier' && isrName.test(declarator.id.name)))
}
