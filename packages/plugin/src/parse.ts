import { parse, type ParserPlugin } from '@babel/parser'
import type { File } from '@babel/types'
import type { SourceText } from './errors.js'
import { pragmaBelowHeader } from './pragma.js'

/** The script of an `.astro` file: its frontmatter between the `---` fences, as offsets. */
export function astroFrontmatter(code: string): { start: number; end: number } | null {
  const open = /^\s*---[^\S\n]*\r?\n/.exec(code)
  if (open === null) return null
  const close = /\r?\n---[^\S\n]*(\r?\n|$)/g
  close.lastIndex = open[0].length - 1
  const match = close.exec(code)
  return match === null ? null : { start: open[0].length, end: match.index + 1 }
}

function pluginsFor(id: string): ParserPlugin[] {
  const path = id.replace(/[?#].*$/, '')
  if (/\.[mc]?ts$/.test(path) || path.endsWith('.astro')) return ['typescript']
  if (/\.tsx$/.test(path)) return ['typescript', 'jsx']
  return ['jsx']
}

/**
 * Parses a page with TypeScript and JSX as its extension says. For `.astro`, only the frontmatter
 * is code: everything else is blanked (newlines kept), so offsets and lines stay those of the file.
 */
export function parsePage(code: string, source: SourceText, script: { start: number; end: number } | null): File {
  const text = script ? blankOutside(code, script) : code
  try {
    return parse(text, {
      sourceType: 'module',
      plugins: pluginsFor(source.id),
      allowReturnOutsideFunction: script !== null,
      allowAwaitOutsideFunction: true,
      attachComment: false, // the analysis reads file.comments, never comments attached to nodes
    })
  } catch (error) {
    throw syntaxError(error, source)
  }
}

function blankOutside(code: string, script: { start: number; end: number }): string {
  const blank = (part: string) => part.replace(/[^\n]/g, ' ')
  return blank(code.slice(0, script.start)) + code.slice(script.start, script.end) + blank(code.slice(script.end))
}

function syntaxError(error: unknown, source: SourceText) {
  const pos = (error as { pos?: number }).pos
  if (typeof pos !== 'number') return error
  const lineStart = source.code.lastIndexOf('\n', pos - 1) + 1
  const lineEnd = source.code.indexOf('\n', lineStart)
  const lineText = source.code.slice(lineStart, lineEnd === -1 ? undefined : lineEnd)
  const hash = lineText.indexOf('#')
  if (hash !== -1 && lineText.slice(0, hash).trim() === '') {
    const start = lineStart + hash
    const belowHeader = pragmaBelowHeader(source, start, start + lineText.trim().length, lineText.slice(hash + 1))
    if (belowHeader) return belowHeader
  }
  const message = (error as Error).message.replace(/ \(\d+:\d+\)$/, '').replace(/\.?$/, '.')
  return source.error(pos, pos + 1, `This page does not parse: ${message}`, 'fix the syntax error.')
}
