import { createHash } from 'node:crypto'
import type { Program } from '@babel/types'
import { SourceEdits, type SourceMapV3 } from './edits.js'
import { SourceText } from './errors.js'
import { checkQueryReads, checkRequestBound, type DataCode } from './checks.js'
import { resolveOptions, type ResolvedOptions, type Target, type TransformOptions } from './options.js'
import { findPageData, type PageData } from './page-data.js'
import { astroFrontmatter, parsePage } from './parse.js'
import { checkNoPragmaBelowHeader, PRAGMA_HINT, readHeader, type Pragma } from './pragma.js'
import { routeFromId } from './route.js'
import { addRevalidateExport, existingRevalidateExport } from './vercel.js'
import { wrapPageData, type RuntimeNames } from './wrap.js'

export interface CachedPage {
  ttl: number
  route: string
  target: Target
  /** Query parameter names that vary the data (the pragma's `query`). */
  query: string[]
}

export interface TransformResult {
  code: string
  map: SourceMapV3
  page: CachedPage
}

/**
 * Compiles one page: reads its pragma, finds its data, checks it is safe to share, and wraps it
 * for the target (or hands it to Vercel's ISR). Returns null when the file has no pragma or was
 * compiled already; throws a RevalidateError (id, loc, frame) for a bad page.
 */
export function transform(code: string, id: string, options?: TransformOptions): TransformResult | null {
  if (!PRAGMA_HINT.test(code)) return null
  const isAstro = /\.astro($|\?)/.test(id)
  const frontmatter = isAstro ? astroFrontmatter(code) : null
  if (isAstro && frontmatter === null) return null // compiled by Astro already, or no frontmatter
  const resolved = resolveOptions(options)
  const source = new SourceText(code, id)
  const header = readHeader(source, frontmatter?.start ?? 0)
  const file = parsePage(header.code, source, frontmatter)
  const { program } = file
  checkNoPragmaBelowHeader(file.comments ?? [], header, source)
  const { pragma } = header
  if (pragma === null || alreadyCompiled(program, resolved, pragma, source)) return null

  const data = findPageData(program, source, pragma, resolved.loaders, frontmatter !== null)
  const dataCode = dataCodeOf(data)
  checkRequestBound(dataCode, source, resolved.requestBound)
  checkQueryReads(dataCode, source, pragma)

  const route = routeFromId(id, resolved)
  const edits = new SourceEdits(code)
  if (header.code !== code) edits.replace(pragma.start, pragma.start + 2, '//')
  if (resolved.target === 'vercel') {
    addRevalidateExport(edits, program, pragma, source, resolved)
  } else {
    const names = runtimeNames(code)
    wrapPageData(edits, { data, pragma, route, version: versionOf(code, dataCode), names })
    edits.insert(program.body[0]!.start!, runtimeImport(names, resolved.runtime))
  }
  return { ...edits.apply(id), page: { ttl: pragma.ttl, route, target: resolved.target, query: pragma.query } }
}

function dataCodeOf(data: PageData): DataCode {
  if (data.kind === 'loader') return { nodes: [...data.fn.params, data.fn.body], context: data.fn.params[0] }
  if (data.kind === 'page') return { nodes: data.section, context: data.fn.params[0] }
  return { nodes: data.section, context: undefined }
}

/** A hash of the code that loads the data: a deploy that changes it never reads the old entries. */
function versionOf(code: string, data: DataCode): string {
  const hash = createHash('sha256')
  for (const node of data.context ? [data.context, ...data.nodes] : data.nodes) hash.update(code.slice(node.start!, node.end!))
  return hash.digest('hex').slice(0, 12)
}

/** Local names for the runtime's exports that no binding, string or comment of the page uses. */
function runtimeNames(code: string): RuntimeNames {
  let prefix = '__rv_'
  for (let n = 1; code.includes(prefix); n++) prefix = `__rv${n}_`
  return { withRevalidate: `${prefix}withRevalidate`, pageKey: `${prefix}pageKey`, context: `${prefix}ctx` }
}

function runtimeImport(names: RuntimeNames, runtime: string): string {
  return `import { withRevalidate as ${names.withRevalidate}, pageKey as ${names.pageKey} } from ${JSON.stringify(runtime)}; `
}

/** Output of an earlier pass carries the runtime import (or, for vercel, the revalidate export). */
function alreadyCompiled(program: Program, options: ResolvedOptions, pragma: Pragma, source: SourceText): boolean {
  if (options.target === 'vercel') {
    const existing = existingRevalidateExport(program)
    if (existing === undefined) return false
    if (existing.value === pragma.ttl) return true
    throw source.error(existing.start, existing.end, `The page exports its own \`revalidate\`, which disagrees with the pragma's ${pragma.ttl} seconds.`, 'keep one: the pragma, or the export.')
  }
  return program.body.some(
    (statement) =>
      statement.type === 'ImportDeclaration' &&
      statement.source.value === options.runtime &&
      statement.specifiers.some((specifier) => specifier.type === 'ImportSpecifier' && /^__rv\d*_withRevalidate$/.test(specifier.local.name)),
  )
}
