/**
 * Reads the pragma from the header of a module: the comments (and directives) before its first
 * statement.
 *
 *   # Pragma: revalidate 5m stale 1h tags posts,home query page    (a `#` line, header only)
 *   // Pragma: revalidate 60
 *   /* Pragma: revalidate 1d *\/
 *
 *   -> { ttl: 300, staleSeconds: 3600, tags: ['posts', 'home'], query: ['page'] }
 *
 * A `#` pragma line is not JavaScript: it becomes `//` in place (the `# ` is overwritten), so
 * every other character keeps its offset and every location and source map stays exact.
 *
 * In a block comment the pragma is the comment's first line of text, JSDoc stars and all:
 *
 *   /**
 *    * Pragma: revalidate 60          -> { ttl: 60 }; the lines below are the page's own docs
 *    * The front page.
 *    *\/
 */
import type { Comment as BabelComment } from '@babel/types'
import { closest } from './did-you-mean.js'
import type { RevalidateError, SourceText } from './errors.js'
import { isLineTerminator, LINE_TERMINATOR_CHARS, lineEnd } from './lines.js'

export interface Pragma {
  /** Seconds the data stays fresh. */
  ttl: number
  /** Seconds past the ttl the data may be served stale, when the pragma says. */
  staleSeconds?: number
  tags: string[]
  /** Query parameter names that vary the data (and so the key). */
  query: string[]
  /** Offsets of the whole comment. */
  start: number
  end: number
}

export interface Header {
  pragma: Pragma | null
  /** The code with a `#` pragma line turned into a `//` comment: same length, same offsets. */
  code: string
  /** Offset of the first statement, where the header ends. */
  end: number
}

interface Comment {
  start: number
  end: number
  /** The comment's text, without `//`, `/*`, `*\/` or `#`. */
  textStart: number
  textEnd: number
  hash: boolean
}

interface Token {
  text: string
  start: number
  end: number
}

/** Any comment that starts like this is read as a pragma; the file filter tests the same. */
export const PRAGMA_HINT = /Pragma:/i
const PRAGMA_START = /^\s*Pragma:/i
const KEYWORD = 'revalidate'
const OPTION_NAMES = ['stale', 'tags', 'query'] as const
type OptionName = (typeof OPTION_NAMES)[number]
const DURATION = /^(\d+)(s|m|h|d)?$/
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const
const QUERY_NAME = /^[\w.\-[\]]+$/

/** Reads the header that starts at `from` (0, or where an `.astro` frontmatter begins). */
export function readHeader(source: SourceText, from = 0): Header {
  const { comments, end } = scanHeader(source.code, from)
  let pragma: Pragma | null = null
  for (const comment of comments) {
    const found = readPragmaComment(source, comment)
    if (found === null) continue
    if (pragma !== null) {
      throw source.error('RV105', comment.start, comment.end, 'A page has one pragma; this is the second.', 'merge them into one line, e.g. `// Pragma: revalidate 60 tags posts`.')
    }
    pragma = found
  }
  return { pragma, code: hashPragmasAsComments(source.code, comments), end }
}

/**
 * The code with the header's `#` pragma line made a `//` comment, as `readHeader` gives it, also
 * when that pragma is wrong: a host that reports the error on its own parse of the page (Babel)
 * parses this. Nothing below the header is touched.
 */
export function withHashPragmaAsComment(code: string): string {
  return hashPragmasAsComments(code, scanHeader(code, 0).comments)
}

/** Turns each `# Pragma: revalidate …` line (or a misspelling of one) among the header comments into `//`, in place. */
function hashPragmasAsComments(code: string, comments: readonly Comment[]): string {
  let converted = code
  for (const comment of comments) {
    if (!comment.hash || !/\s/.test(code[comment.start + 1] ?? '')) continue
    const head = PRAGMA_START.exec(code.slice(comment.textStart, comment.textEnd))
    if (head === null) continue
    const keyword = tokenize(code, comment.textStart + head[0].length, comment.textEnd)[0]
    if (keyword !== undefined && !namesRevalidate(keyword.text)) continue // another tool's line: not ours to change
    converted = `${converted.slice(0, comment.start)}//${converted.slice(comment.start + 2)}`
  }
  return converted
}

/** Where a file's code starts: after a byte order mark, and after a shebang line (`#!`). */
export function codeStart(code: string): number {
  const bom = code.charCodeAt(0) === 0xfeff ? 1 : 0
  return code.startsWith('#!', bom) ? lineEnd(code, bom) : bom
}

/** Walks the comments, blank lines and directives ("use client") before the first statement. */
function scanHeader(code: string, from: number): { comments: Comment[]; end: number } {
  const comments: Comment[] = []
  let pos = from === 0 ? codeStart(code) : from
  for (;;) {
    while (pos < code.length && /[\s\uFEFF]/.test(code[pos]!)) pos++
    if (code.startsWith('//', pos)) {
      const end = lineEnd(code, pos)
      comments.push({ start: pos, end, textStart: pos + 2, textEnd: end, hash: false })
      pos = end
    } else if (code.startsWith('/*', pos)) {
      const close = code.indexOf('*/', pos + 2)
      if (close === -1) break // unterminated: the parser reports it
      const text = firstLineOfBlock(code, pos + 2, close)
      comments.push({ start: pos, end: close + 2, textStart: text.start, textEnd: text.end, hash: false })
      pos = close + 2
    } else if (code[pos] === '#') {
      const end = lineEnd(code, pos)
      comments.push({ start: pos, end, textStart: pos + 1, textEnd: end, hash: true })
      pos = end
    } else {
      const directiveEnd = directiveAt(code, pos)
      if (directiveEnd === -1) break
      pos = directiveEnd
    }
  }
  return { comments, end: pos }
}

/**
 * The first line of text in the block comment body [start, end), without the JSDoc decoration
 * (leading `*`s): `/** Pragma: revalidate 60 *\/` and `/*\n * Pragma: revalidate 60\n *\/` both
 * give "Pragma: revalidate 60".
 */
function firstLineOfBlock(code: string, start: number, end: number): { start: number; end: number } {
  let pos = start
  while (pos < end) {
    while (pos < end && /[\s*]/.test(code[pos]!) && !isLineTerminator(code.charCodeAt(pos))) pos++
    const lineStop = Math.min(lineEnd(code, pos), end)
    if (code.slice(pos, lineStop).trim() !== '') return { start: pos, end: lineStop }
    pos = lineStop + 1
  }
  return { start: end, end }
}

/** A revalidate pragma on any line of a comment's text: `Pragma: <word>` with the word found. */
const PRAGMA_ON_A_LINE = new RegExp(`(?:^|[${LINE_TERMINATOR_CHARS}])[\\s*]*Pragma:[^\\S${LINE_TERMINATOR_CHARS}]*(\\S*)`, 'gi')
/** The same in page text, where the line may start with a comment's opening (`//`, `#`, `<!--`). */
const PRAGMA_IN_TEXT = new RegExp(`(?:^|[${LINE_TERMINATOR_CHARS}])[\\s*/#!<-]*Pragma:[^\\S${LINE_TERMINATOR_CHARS}]*(\\S*)`, 'gi')

function revalidatePragmaIn(text: string, pattern = PRAGMA_ON_A_LINE): RegExpExecArray | undefined {
  for (const match of text.matchAll(pattern)) if (namesRevalidate(match[1]!)) return match
  return undefined
}

/** The end of a directive such as `'use client';` at `pos`, or -1 if there is none. */
function directiveAt(code: string, pos: number): number {
  const quote = code[pos]
  if (quote !== '"' && quote !== "'") return -1
  let end = pos + 1
  while (end < code.length && code[end] !== quote && code[end] !== '\n') end += code[end] === '\\' ? 2 : 1
  if (code[end] !== quote) return -1
  end++
  while (code[end] === ' ' || code[end] === '\t') end++
  if (code[end] === ';') return end + 1
  // Without a semicolon it is a directive only if the statement ends here.
  return end >= code.length || isLineTerminator(code.charCodeAt(end)) || code.startsWith('//', end) ? end : -1
}

function tokenize(code: string, start: number, end: number): Token[] {
  const tokens: Token[] = []
  const pattern = /\S+/g
  const text = code.slice(start, end)
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    tokens.push({ text: match[0], start: start + match.index, end: start + match.index + match[0].length })
  }
  return tokens
}

/** Whether a pragma's first word is `revalidate`, or close enough to be a typo of it. */
function namesRevalidate(word: string): boolean {
  return word === KEYWORD || closest(word, [KEYWORD]) !== undefined
}

/**
 * The error for a revalidate pragma found below the header (in the comment or `#` line text
 * given, without its `//`, `/*` or `#`), or undefined when the text is no such pragma.
 */
export function pragmaBelowHeader(source: SourceText, start: number, end: number, text: string): RevalidateError | undefined {
  if (revalidatePragmaIn(text) === undefined) return undefined
  return source.error(
    'RV106',
    start,
    end,
    "A pragma must be in the header of the module, before its first statement, or right above an exported function that is not a page's loader.",
    'move it to the top of the file (only comments and directives such as "use client" may come before it); a function named as a loader (`loader`, `load`, `getServerSideProps`, ...) is the page\'s, and its pragma goes in the header.',
  )
}

/** A pragma comment anywhere but the header would be silently ignored: say so instead. */
export function checkNoPragmaBelowHeader(comments: readonly BabelComment[], header: Header, source: SourceText, functionPragmas: ReadonlySet<number> = new Set()): void {
  for (const comment of comments) {
    if (comment.start === header.pragma?.start || comment.end! <= header.end) continue // header comments were read already
    if (functionPragmas.has(comment.start!)) continue // a cached function's (cached-functions.ts)
    const error = pragmaBelowHeader(source, comment.start!, comment.end!, comment.value)
    if (error) throw error
  }
}

/**
 * An `.astro` page's pragma belongs on the first line of its frontmatter; one above the opening
 * `---` fence is template text to Astro, so it would silently do nothing.
 */
export function checkNoPragmaAboveFence(source: SourceText, fenceStart: number): void {
  const match = revalidatePragmaIn(source.code.slice(0, fenceStart), PRAGMA_IN_TEXT)
  if (match === undefined) return
  const start = match.index + match[0].search(/Pragma:/i)
  throw source.error(
    'RV108',
    start,
    lineEnd(source.code, start),
    'In an .astro page the pragma is the first line of the frontmatter; above the `---` fence it is page text, not code.',
    'move it below the opening `---`: `---\n// Pragma: revalidate 60\n...`.',
  )
}

/**
 * A comment of the parsed module read as a pragma (one written right above an exported function,
 * cached-functions.ts), with the grammar of the header's: null when it is no revalidate pragma.
 */
export function readPragmaOf(source: SourceText, comment: BabelComment): Pragma | null {
  const start = comment.start!
  const end = comment.end!
  if (comment.type === 'CommentLine') return readPragmaComment(source, { start, end, textStart: start + 2, textEnd: end, hash: false })
  const text = firstLineOfBlock(source.code, start + 2, end - 2)
  return readPragmaComment(source, { start, end, textStart: text.start, textEnd: text.end, hash: false })
}

function readPragmaComment(source: SourceText, comment: Comment): Pragma | null {
  const { code } = source
  const text = code.slice(comment.textStart, comment.textEnd)
  const head = PRAGMA_START.exec(text)
  if (head === null) {
    // A block comment is read by its first line; a pragma further down would do nothing.
    const later = revalidatePragmaIn(code.slice(comment.textEnd, comment.end))
    if (later === undefined) return null
    const start = comment.textEnd + later.index + later[0].search(/Pragma:/i)
    throw source.error('RV107', start, lineEnd(code, start), 'A pragma in a block comment must be its first line of text.', 'move `Pragma: revalidate …` to the first line of the comment, or into a comment of its own.')
  }
  const tokens = tokenize(code, comment.textStart + head[0].length, comment.textEnd)
  const keyword = tokens[0]
  if (keyword !== undefined && !namesRevalidate(keyword.text)) return null // another tool's pragma
  if (keyword === undefined || keyword.text !== KEYWORD) {
    throw source.error(
      'RV103',
      keyword?.start ?? comment.start,
      keyword?.end ?? comment.end,
      keyword ? `Unknown pragma "${keyword.text}"; did you mean "${KEYWORD}"?` : 'The pragma says nothing after "Pragma:".',
      'write `// Pragma: revalidate <ttl>`, e.g. `// Pragma: revalidate 60`.',
    )
  }
  if (comment.hash && !/\s/.test(code[comment.start + 1] ?? '')) {
    throw source.error('RV109', comment.start, comment.end, 'A `#` pragma line needs a space after the `#`.', 'write `# Pragma: revalidate …`.')
  }
  const ttlToken = tokens[1]
  if (ttlToken === undefined) {
    throw source.error('RV101', keyword.start, keyword.end, '"revalidate" needs a ttl.', 'add the seconds the data stays fresh, e.g. `revalidate 60` or `revalidate 5m`.')
  }
  const pragma: Pragma = { ttl: readDuration(source, ttlToken, 'ttl', false), tags: [], query: [], start: comment.start, end: comment.end }
  const seen = new Set<OptionName>()
  for (let i = 2; i < tokens.length; i += 2) {
    const nameToken = tokens[i]!
    const name = readOptionName(source, nameToken)
    if (seen.has(name)) {
      throw source.error('RV104', nameToken.start, nameToken.end, `The option "${name}" is given twice.`, `keep one "${name}".`)
    }
    seen.add(name)
    const value = tokens[i + 1]
    if (value === undefined) {
      throw source.error('RV104', nameToken.start, nameToken.end, `The option "${name}" needs a value.`, OPTION_HELP[name])
    }
    if (name === 'stale') pragma.staleSeconds = readDuration(source, value, 'stale', true)
    if (name === 'tags') pragma.tags = readList(source, value, 'tags', () => true)
    if (name === 'query') pragma.query = readList(source, value, 'query', (item) => QUERY_NAME.test(item))
  }
  return pragma
}

const OPTION_HELP: Record<OptionName, string> = {
  stale: 'write how long stale data may be served, e.g. `stale 1h`.',
  tags: 'write comma-separated tags without spaces, e.g. `tags posts,home`.',
  query: 'write the query parameter names that change the data, e.g. `query page,sort`.',
}

function readOptionName(source: SourceText, token: Token): OptionName {
  const name = token.text as OptionName
  if (OPTION_NAMES.includes(name)) return name
  const guess = closest(token.text, OPTION_NAMES)
  throw source.error(
    'RV102',
    token.start,
    token.end,
    `Unknown pragma option "${token.text}"${guess ? `; did you mean "${guess}"?` : '.'}`,
    `the options are ${OPTION_NAMES.map((option) => `"${option}"`).join(', ')}: \`// Pragma: revalidate <ttl> [stale <ttl>] [tags <a,b>] [query <name,...>]\`.`,
  )
}

function readDuration(source: SourceText, token: Token, what: 'ttl' | 'stale', zeroAllowed: boolean): number {
  const match = DURATION.exec(token.text)
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's') as keyof typeof UNIT_SECONDS] : Number.NaN
  if (match && (seconds > 0 || zeroAllowed)) return seconds
  const problem = match
    ? `The ${what} "${token.text}" must be greater than 0.`
    : `The ${what} "${token.text}" is not a duration.`
  throw source.error('RV101', token.start, token.end, problem, 'write whole seconds (`60`) or a whole number with a unit: `30s`, `5m`, `2h`, `1d`.')
}

function readList(source: SourceText, token: Token, name: 'tags' | 'query', valid: (item: string) => boolean): string[] {
  const items = token.text.split(',')
  if (items.every((item) => item !== '' && valid(item))) return items
  throw source.error('RV104', token.start, token.end, `The ${name} list "${token.text}" has an empty or invalid item.`, OPTION_HELP[name])
}
