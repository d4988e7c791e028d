/**
 * The page being compiled, as every step of the transform reads it: found once by `transform`
 * and handed whole to finding its data (page-data.ts), checking it (checks.ts), hashing its data
 * code (version.ts) and wrapping it (wrap.ts, vercel.ts).
 */
import type { Comment, Program } from '@babel/types'
import type { SourceText } from './errors.js'
import type { Framework } from './frameworks/index.js'
import type { ResolvedOptions } from './options.js'
import type { Pragma } from './pragma.js'
import type { Scopes } from './scopes.js'

export interface Page {
  /** The module id as the host gave it, and its file path (no query, `/` separators). */
  id: string
  path: string
  source: SourceText
  program: Program
  comments: readonly Comment[]
  scopes: Scopes
  pragma: Pragma
  framework: Framework
  options: ResolvedOptions
  /** An `.astro` page: its frontmatter is the data section. */
  frontmatter: boolean
}
