/**
 * The vercel target leaves the data alone and hands the page to the platform's ISR:
 *
 *   # Pragma: revalidate 60            //Pragma: revalidate 60
 *   export default async function P()  export const revalidate = 60; export default async function P()
 */
import type { Program } from '@babel/types'
import type { SourceEdits } from './edits.js'
import type { SourceText } from './errors.js'
import type { ResolvedOptions } from './options.js'
import type { Pragma } from './pragma.js'

/** The literal of an existing `export const revalidate = <n>`, or undefined if there is none. */
export function existingRevalidateExport(program: Program): { value: number | undefined; start: number; end: number } | undefined {
  for (const statement of program.body) {
    if (statement.type !== 'ExportNamedDeclaration' || statement.declaration?.type !== 'VariableDeclaration') continue
    for (const declarator of statement.declaration.declarations) {
      if (declarator.id.type !== 'Identifier' || declarator.id.name !== 'revalidate') continue
      const value = declarator.init?.type === 'NumericLiteral' ? declarator.init.value : undefined
      return { value, start: declarator.start!, end: declarator.end! }
    }
  }
  return undefined
}

export function addRevalidateExport(edits: SourceEdits, program: Program, pragma: Pragma, source: SourceText, options: Pick<ResolvedOptions, 'nextCacheComponents'>): void {
  if (options.nextCacheComponents) {
    throw source.error(
      pragma.start,
      pragma.end,
      'With cacheComponents on, Next.js rejects route segment config such as `revalidate`, which is what the pragma compiles to on Vercel.',
      `remove the pragma and cache the data with \`'use cache'\` and \`cacheLife({ revalidate: ${pragma.ttl} })\` from next/cache, or turn cacheComponents off.`,
    )
  }
  const first = program.body[0]!
  edits.insert(first.start!, `export const revalidate = ${pragma.ttl}; `)
}
