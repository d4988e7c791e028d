/**
 * Lines as ECMAScript counts them, and so Babel, our error locations and our source maps:
 * a line ends at \r\n, \n, \r, U+2028 or U+2029. Every question of "which line" is answered here.
 *
 *   lineStartsOf('a\r\nb\u2028c')       -> [0, 3, 5]
 *   lineAt([0, 3, 5], 4)                -> { line: 1, column: 1 }   (line from 0)
 */

/** The line terminator characters, for a character class: `[${LINE_TERMINATOR_CHARS}]`. */
export const LINE_TERMINATOR_CHARS = '\\r\\n\\u2028\\u2029'
/** One line terminator (\r\n is one); global, so each user sets `lastIndex` first (matchAll copies it). */
const LINE_TERMINATOR = /\r\n?|[\n\u2028\u2029]/g

export function isLineTerminator(charCode: number): boolean {
  return charCode === 10 || charCode === 13 || charCode === 0x2028 || charCode === 0x2029
}

/** Whether every line of `text` ends at \n (the common case, which `eachLine` takes a faster way). */
export function endsLinesWithNewlineOnly(text: string): boolean {
  // Three searches for one character each: several times faster than a character class over the text.
  return !text.includes('\r') && !text.includes('\u2028') && !text.includes('\u2029')
}

/** The end of the line at `from`: the next line terminator, or the end of the code. */
export function lineEnd(code: string, from: number): number {
  let end = from
  while (end < code.length && !isLineTerminator(code.charCodeAt(end))) end++
  return end
}

/** Offsets where the lines of `code` start. */
export function lineStartsOf(code: string): number[] {
  const starts = [0]
  LINE_TERMINATOR.lastIndex = 0
  for (const match of code.matchAll(LINE_TERMINATOR)) starts.push(match.index + match[0].length)
  return starts
}

/** The line (from 0) and column of `offset`, given the line starts of its text. */
export function lineAt(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0
  let high = lineStarts.length - 1
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if (lineStarts[middle]! <= offset) low = middle
    else high = middle - 1
  }
  return { line: low, column: offset - lineStarts[low]! }
}

/**
 * Calls `line(from, to)` for each piece of text[start, end) between line terminators, and
 * `newline()` after each terminator. `newlineOnly` (from `endsLinesWithNewlineOnly`, worked out
 * once for a text cut into many ranges) takes the fast way: indexOf instead of a regular expression.
 */
export function eachLine(text: string, start: number, end: number, line: (from: number, to: number) => void, newline: () => void, newlineOnly = endsLinesWithNewlineOnly(text)): void {
  let from = start
  if (newlineOnly) {
    for (let at = text.indexOf('\n', from); at !== -1 && at < end; at = text.indexOf('\n', from)) {
      line(from, at)
      newline()
      from = at + 1
    }
    line(from, end)
    return
  }
  LINE_TERMINATOR.lastIndex = start
  for (let match = LINE_TERMINATOR.exec(text); match !== null && match.index < end; match = LINE_TERMINATOR.exec(text)) {
    line(from, match.index)
    newline()
    from = match.index + match[0].length
    LINE_TERMINATOR.lastIndex = from
  }
  line(from, end)
}
