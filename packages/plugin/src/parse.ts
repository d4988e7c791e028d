import { parse, type ParserPlugin } from '@babel/parser'
import type { File } from '@babel/types'
import type { SourceText } from './errors.js'
import { LINE_TERMINATOR_CHARS, lineEnd } from './lines.js'
import { pragmaBelowHeader } from './pragma.js'
import { pathOfId } from './route.js'

/**
 * The script of an `.astro` file: its frontmatter between the `---` fences, as offsets, and where
 * the opening fence is (anything above it is page text).
 */
export function astroFrontmatter(code: string): { fence: number; start: number; end: number } | null {
  const open = /(^\uFEFF?|\r\n|\r|\n)---[^\S\r\n]*(\r\n|\r|\n)/.exec(code)
  if (open === null) return null
  const close = /(\r\n|\r|\n)---[^\S\r\n]*(?=\r|\n|$)/g
  close.lastIndex = open.index + open[0].length - open[2]!.length
  const match = close.exec(code)
  if (match === null) return null
  return { fence: open.index + open[1]!.length, start: open.index + open[0].length, end: match.index + match[1]!.length }
}

function pluginsFor(id: string): ParserPlugin[] {
  const path = pathOfId(id)
  if (/\.[mc]?ts$/.test(path) || path.endsWith('.astro')) return ['typescript']
  if (/\.tsx$/.test(path)) return ['typescript', 'jsx']
  return ['jsx']
}

/**
 * Parses a page with TypeScript and JSX as its extension says. For `.astro`, only the frontmatter
 * is code: everything else is blanked (newlines kept), so offsets and lines stay those of the file.
 */
export function parsePage(code: string, source: SourceText, script: { start: number; end: number } | null): File {
  const text = script ? blankOutside(code, script) : withoutByteOrderMark(code)
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

/**
 * Parses another module of the app, one the analysis follows an import into. Its nodes carry its
 * id (`loc.filename`), which tells them from the page's. Decorators parse too (an entity class);
 * a syntax error is thrown as the parser gives it.
 */
export function parseAppModule(code: string, id: string): File {
  return parse(withoutByteOrderMark(code), {
    sourceType: 'module',
    sourceFilename: id,
    plugins: [...pluginsFor(id), 'decorators-legacy'],
    allowAwaitOutsideFunction: true,
    attachComment: false, // the marks are read from file.comments
  })
}

/**
 * A byte order mark is whitespace to the parser, except before a shebang, which must come first:
 * the mark becomes a space and the `#!` a `//` (same lengths, so every offset stays).
 */
function withoutByteOrderMark(code: string): string {
  if (code.charCodeAt(0) !== 0xfeff) return code
  return code.startsWith('#!', 1) ? ` //${code.slice(3)}` : code
}

const NOT_A_LINE_TERMINATOR = new RegExp(`[^${LINE_TERMINATOR_CHARS}]`, 'g')

function blankOutside(code: string, script: { start: number; end: number }): string {
  const blank = (part: string) => part.replace(NOT_A_LINE_TERMINATOR, ' ')
  return blank(code.slice(0, script.start)) + code.slice(script.start, script.end) + blank(code.slice(script.end))
}

function syntaxError(error: unknown, source: SourceText) {
  const pos = (error as { pos?: number }).pos
  if (typeof pos !== 'number') return error
  const lineStart = pos - source.locate(pos).column
  const lineText = source.code.slice(lineStart, lineEnd(source.code, lineStart))
  const hash = lineText.indexOf('#')
  if (hash !== -1 && lineText.slice(0, hash).trim() === '') {
    const start = lineStart + hash
    const belowHeader = pragmaBelowHeader(source, start, start + lineText.trim().length, lineText.slice(hash + 1))
    if (belowHeader) return belowHeader
  }
  const message = (error as Error).message.replace(/ \(\d+:\d+\)$/, '').replace(/\.?$/, '.')
  return source.error('RV310', pos, pos + 1, `This page does not parse: ${message}`, 'fix the syntax error.')
}
