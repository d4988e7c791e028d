/**
 * Edits on the original text of a page, applied in one pass that also writes a high-resolution
 * source map (a segment for every original character, as magic-string's `hires: true` does).
 *
 *   const edits = new SourceEdits('# Pragma: revalidate 60\nexport ...')
 *   edits.replace(0, 2, '//')            ->  '//Pragma: revalidate 60\nexport ...'
 *   edits.insert(24, 'import x from "y"; ')
 *   edits.apply('/app/page.ts')         ->  { code, map }
 *
 * Our edits are only insertions and a few replacements, so every unchanged run of a line maps
 * character by character with the same segment delta (`CAAC`): the mappings are mostly string
 * repetition. That keeps the map from costing more than the parse (with magic-string it was
 * most of the transform).
 */

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
  /** Order of the call, so insertions at one position keep the order they were made in. */
  order: number
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function vlq(value: number): string {
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
    this.#line += (this.#line === '' ? '' : ',') + first + ',CAAC'.repeat(length - 1)
    this.#column += length
    this.#previousColumn = this.#column - 1
    this.#previousOriginalLine = originalLine
    this.#previousOriginalColumn = originalColumn + length - 1
  }

  /** Advances over generated text that maps to nothing of its own (an insertion). */
  skip(text: string): void {
    let start = 0
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      this.newLine()
      start = newline + 1
    }
    this.#column += text.length - start
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

  apply(source: string): { code: string; map: SourceMapV3 } {
    // By position; at one position insertions come before a replacement, each in call order.
    const edits = [...this.#edits].sort((a, b) => a.start - b.start || Number(a.end > a.start) - Number(b.end > b.start) || a.order - b.order)
    const { original } = this
    const writer = new MappingsWriter()
    const parts: string[] = []
    let position = 0
    let line = 0
    let column = 0

    const copyOriginal = (end: number) => {
      parts.push(original.slice(position, end))
      while (position < end) {
        const newline = original.indexOf('\n', position)
        const lineEnd = newline === -1 || newline >= end ? end : newline
        writer.mapRun(line, column, lineEnd - position)
        column += lineEnd - position
        if (lineEnd < end) {
          writer.newLine()
          line += 1
          column = 0
          position = lineEnd + 1
        } else {
          position = lineEnd
        }
      }
    }

    for (const edit of edits) {
      if (edit.start < position) throw new Error(`overlapping edits at ${edit.start} in ${source}`)
      copyOriginal(edit.start)
      parts.push(edit.text)
      writer.skip(edit.text)
      // A replacement's original characters are not copied; keep counting their lines and columns.
      for (; position < edit.end; position++) {
        if (original.charCodeAt(position) === 10) {
          line += 1
          column = 0
        } else {
          column += 1
        }
      }
    }
    copyOriginal(original.length)
    return {
      code: parts.join(''),
      map: { version: 3, sources: [source], sourcesContent: [original], names: [], mappings: writer.finish() },
    }
  }
}
