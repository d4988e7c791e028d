/**
 * Edits on the original text of a page, applied in one pass that also writes a high-resolution
 * source map (a segment for every original character, as magic-string's `hires: true` does).
 *
 *   const edits = new SourceEdits('# Pragma: revalidate 60\nexport ...')
 *   edits.replace(0, 2, '//')            ->  '//Pragma: revalidate 60\nexport ...'
 *   edits.insert(24, 'import x from "y"; ')
 *   edits.move(40, 60, 24)               ->  the text at [40, 60) now comes at 24, still mapped to 40
 *   edits.apply('/app/page.ts')         ->  { code, map }
 *
 * Lines are counted as ECMAScript counts them (\r\n, \n, \r, U+2028, U+2029), in the page and in
 * the output alike, so a page with CR-only line ends maps as exactly as one with \n.
 *
 * Our edits are only insertions, moves and a few replacements, so every unchanged run of a line maps
 * character by character with the same segment delta (`CAAC`): the mappings are mostly string
 * repetition. That keeps the map from costing more than the parse (with magic-string it was
 * most of the transform).
 */
import { eachLine, endsLinesWithNewlineOnly, lineAt, lineStartsOf } from './lines.js'

export interface SourceMapV3 {
  version: 3
  file?: string
  sources: string[]
  sourcesContent: string[]
  names: string[]
  mappings: string
}

interface Edit {
  start: number
  end: number
  text: string
  /** An original range emitted here (a move), mapped to where it was written. */
  moved?: { start: number; end: number }
  /** Order of the call, so insertions at one position keep the order they were made in. */
  order: number
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
/** The segments after a run's first, for lines up to 4,000 characters: sliced, not repeated (a slice copies nothing). */
const NEXT_SEGMENTS = ',CAAC'.repeat(4000)

/** VLQ codes of the deltas most segments have (a line's length, at most), made once each. */
const SMALL_VLQ = 4096
const vlqCodes: string[] = []

function vlq(value: number): string {
  if (value > -SMALL_VLQ && value < SMALL_VLQ) return (vlqCodes[value + SMALL_VLQ] ??= encodeVlq(value))
  return encodeVlq(value)
}

function encodeVlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1
  let encoded = ''
  do {
    let digit = rest & 31
    rest >>>= 5
    if (rest > 0) digit |= 32
    encoded += BASE64[digit]
  } while (rest > 0)
  return encoded
}

/** Writes the `mappings` of one source, segment by segment, keeping the deltas VLQ needs. */
class MappingsWriter {
  readonly #lines: string[] = []
  #line = ''
  #column = 0
  #previousColumn = 0
  #previousOriginalLine = 0
  #previousOriginalColumn = 0

  /** Maps `length` generated characters from the current column, one to one, to the original. */
  mapRun(originalLine: number, originalColumn: number, length: number): void {
    if (length <= 0) return
    const first = `${vlq(this.#column - this.#previousColumn)}A${vlq(originalLine - this.#previousOriginalLine)}${vlq(originalColumn - this.#previousOriginalColumn)}`
    const next = length <= 4001 ? NEXT_SEGMENTS.slice(0, 5 * (length - 1)) : ',CAAC'.repeat(length - 1)
    this.#line += (this.#line === '' ? '' : ',') + first + next
    this.#column += length
    this.#previousColumn = this.#column - 1
    this.#previousOriginalLine = originalLine
    this.#previousOriginalColumn = originalColumn + length - 1
  }

  /** Advances over generated text that maps to nothing of its own (an insertion). */
  skip(text: string): void {
    eachLine(text, 0, text.length, (from, to) => (this.#column += to - from), () => this.newLine())
  }

  newLine(): void {
    this.#lines.push(this.#line)
    this.#line = ''
    this.#column = 0
    this.#previousColumn = 0
  }

  finish(): string {
    this.#lines.push(this.#line)
    return this.#lines.join(';')
  }
}

export class SourceEdits {
  readonly #edits: Edit[] = []

  constructor(readonly original: string) {}

  /** Inserts `text` at `position`; several insertions at one position keep their order. */
  insert(position: number, text: string): void {
    this.#edits.push({ start: position, end: position, text, order: this.#edits.length })
  }

  /** Replaces the original characters [start, end) with `text`. */
  replace(start: number, end: number, text: string): void {
    this.#edits.push({ start, end, text, order: this.#edits.length })
  }

  /**
   * Moves the original characters [start, end) to `position` (an insertion there, in call order
   * with the others): the moved text keeps mapping to where it was written.
   */
  move(start: number, end: number, position: number): void {
    this.replace(start, end, '')
    this.#edits.push({ start: position, end: position, text: '', moved: { start, end }, order: this.#edits.length })
  }

  apply(source: string): { code: string; map: SourceMapV3 } {
    // By position; at one position insertions come before a replacement, each in call order.
    const edits = [...this.#edits].sort((a, b) => a.start - b.start || Number(a.end > a.start) - Number(b.end > b.start) || a.order - b.order)
    const { original } = this
    const newlineOnly = endsLinesWithNewlineOnly(original) // tested once, not per line
    const writer = new MappingsWriter()
    const parts: string[] = []
    let position = 0
    let line = 0
    let column = 0
    let lineStarts: number[] | undefined // of the original, found only for a move

    /** Emits original[from, to), mapped, starting at original line and column (`at`). */
    const emitOriginal = (from: number, to: number, at: { line: number; column: number }) => {
      parts.push(original.slice(from, to))
      eachLine(
        original,
        from,
        to,
        (start, end) => {
          writer.mapRun(at.line, at.column, end - start)
          at.column += end - start
        },
        () => {
          writer.newLine()
          at.line += 1
          at.column = 0
        },
        newlineOnly,
      )
    }
    /** Advances the original line and column over original[from, to) without emitting it. */
    const pass = (from: number, to: number) => {
      eachLine(original, from, to, (start, end) => (column += end - start), () => ((line += 1), (column = 0)), newlineOnly)
    }
    const locate = (offset: number) => lineAt((lineStarts ??= lineStartsOf(original)), offset)

    for (const edit of edits) {
      if (edit.start < position) throw new Error(`overlapping edits at ${edit.start} in ${source}`)
      if (splitsLineBreak(original, edit.start) || splitsLineBreak(original, edit.end)) throw new Error(`an edit at ${edit.start} splits a \\r\\n line break in ${source}`)
      const at = { line, column }
      emitOriginal(position, edit.start, at)
      ;({ line, column } = at)
      position = edit.start
      if (edit.moved) {
        emitOriginal(edit.moved.start, edit.moved.end, locate(edit.moved.start))
      } else {
        parts.push(edit.text)
        writer.skip(edit.text)
      }
      // A replacement's original characters are not copied; keep counting their lines and columns.
      pass(position, edit.end)
      position = edit.end
    }
    emitOriginal(position, original.length, { line, column })
    return {
      code: parts.join(''),
      map: { version: 3, sources: [source], sourcesContent: [original], names: [], mappings: writer.finish() },
    }
  }
}

function splitsLineBreak(text: string, at: number): boolean {
  return text.charCodeAt(at - 1) === 13 && text.charCodeAt(at) === 10
}
