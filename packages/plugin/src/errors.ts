import { codeFrameColumns } from '@babel/code-frame'
import { diagnosticLink, type ErrorCode } from './diagnostics.js'
import { lineAt, lineStartsOf } from './lines.js'

/** A position in a source file: line from 1, column from 0 (as Babel and Rollup count). */
export interface Loc {
  line: number
  column: number
}

/**
 * A compile error of a page, in the shape Vite's overlay and Rollup print: `id`, `loc` and a code
 * `frame`; the message itself names the file, line and column, then the code, the rule and the fix.
 * `code` is the diagnostic's stable code (diagnostics.ts), for tools that match it.
 *
 * It is the user's page that is wrong, not the compiler: the stack holds no frames of the
 * compiler's own code, so a host that prints the stack prints only the message.
 */
export class RevalidateError extends Error {
  override readonly name = 'RevalidateError'
  readonly code: ErrorCode
  readonly id: string
  readonly loc: Loc & { file: string }
  readonly frame: string
  /** Offset of the error in the source, for hosts that want it (Babel's code frames). */
  readonly pos: number
  readonly plugin = 'revalidate'
  /** The message without the location in front: for hosts that print `id` and `loc` themselves. */
  readonly description: string

  constructor(code: ErrorCode, description: string, id: string, loc: Loc, frame: string, pos: number) {
    super(`${id}:${loc.line}:${loc.column + 1}: ${description}`)
    this.code = code
    this.id = id
    this.loc = { file: id, ...loc }
    this.frame = frame
    this.pos = pos
    this.description = description
    this.stack = `${this.name}: ${this.message}`
  }
}

/**
 * An error of the compiler itself while it compiled `id` (anything but a RevalidateError): said
 * to be ours, with the page it happened on and the compiler's stack, which is what a report needs.
 */
export function internalError(error: unknown, id: string): Error {
  const cause = error instanceof Error ? error : new Error(String(error))
  const wrapped = new Error(`revalidate failed to compile ${id}: ${cause.message}
This is a bug in revalidate, not in your page: please report it with the page (or the smallest part of it that still fails).`, { cause })
  wrapped.stack = `${wrapped.name}: ${wrapped.message}
${(cause.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).join('\n')}`
  return wrapped
}

/** Turns offsets in one source text into line and column, with one scan of the text. */
export class SourceText {
  /** Offsets where lines start; found on first use (an error, or the line of a page's pragma), one scan of the text. */
  #lineStarts: number[] | undefined

  constructor(
    readonly code: string,
    readonly id: string,
  ) {}

  locate(offset: number): Loc {
    const { line, column } = lineAt((this.#lineStarts ??= lineStartsOf(this.code)), offset)
    return { line: line + 1, column }
  }

  /**
   * The error `code` for the source range [start, end): the rule broken, how to fix it, and a frame.
   * Messages follow one form: the code and what is wrong, then "Fix:", then the code's own section.
   */
  error(code: ErrorCode, start: number, end: number, problem: string, fix: string): RevalidateError {
    const loc = this.locate(start)
    const endLoc = this.locate(Math.max(start + 1, end))
    const frame = codeFrameColumns(
      this.code,
      { start: { line: loc.line, column: loc.column + 1 }, end: { line: endLoc.line, column: endLoc.column + 1 } },
      { highlightCode: false },
    )
    const message = `[${code}] ${problem}\nFix: ${fix}\nSee: ${diagnosticLink(code)}`
    return new RevalidateError(code, message, this.id, loc, frame, start)
  }
}
