import { eachMapping, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping'
import fc from 'fast-check'
import MagicString from 'magic-string'
import { describe, expect, it } from 'vitest'
import { SourceEdits } from '../src/edits.js'

const text = fc.stringMatching(/^[a-z \n{}();]{0,60}$/)

/** Random non-overlapping edits on `original`: insertions anywhere, replacements of short ranges. */
const editsOn = (original: string) =>
  fc.array(
    fc.record({ start: fc.nat({ max: original.length }), length: fc.nat({ max: 3 }), text: fc.stringMatching(/^[A-Z\n]{0,8}$/) }),
    { maxLength: 8 },
  )

describe('SourceEdits', () => {
  it('gives the code magic-string gives, and maps every original character back to its line and column', () => {
    fc.assert(
      fc.property(text.chain((original) => fc.tuple(fc.constant(original), editsOn(original))), ([original, raw]) => {
        const ours = new SourceEdits(original)
        const reference = new MagicString(original)
        const replaced: Array<[number, number]> = []
        const kept: number[] = []
        for (const { start, length, text: inserted } of raw) {
          const end = Math.min(original.length, start + length)
          // magic-string (the reference) drops insertions at the edges of an overwritten range; keep clear of them.
          const overlaps =
            end > start
              ? replaced.some(([a, b]) => start <= b && end >= a) || kept.some((p) => p >= start && p <= end)
              : replaced.some(([a, b]) => start >= a && start <= b)
          if (overlaps) continue
          if (end > start) {
            replaced.push([start, end])
            ours.replace(start, end, inserted)
            reference.overwrite(start, end, inserted || ' ')
            if (!inserted) ours.replace(start, start, ' ') // magic-string cannot overwrite with nothing
          } else {
            kept.push(start)
            ours.insert(start, inserted)
            reference.appendLeft(start, inserted)
          }
        }
        const { code, map } = ours.apply('input.js')
        expect(code).toBe(reference.toString())
        const trace = new TraceMap(map as never)
        const lines = code.split('\n')
        // Every generated character that is an original one (not inside an edit) maps to where it was.
        const generatedPosition = new Map<string, { line: number; column: number }>()
        eachMapping(trace, (segment) => {
          if (segment.originalLine !== null) generatedPosition.set(`${segment.originalLine}:${segment.originalColumn}`, { line: segment.generatedLine - 1, column: segment.generatedColumn })
        })
        const originalLines = original.split('\n')
        let offset = 0
        for (const [line, lineText] of originalLines.entries()) {
          for (let column = 0; column < lineText.length; column++, offset++) {
            const untouched = !replaced.some(([a, b]) => offset >= a && offset < b)
            const at = generatedPosition.get(`${line + 1}:${column}`)
            if (untouched) {
              expect(at, `original ${line + 1}:${column}`).toBeDefined()
              expect(lines[at!.line]![at!.column]).toBe(lineText[column])
            }
          }
          offset++ // the newline
        }
      }),
      { numRuns: 300 },
    )
  })

  it('moves text as magic-string does, every moved character still mapped to where it was written', () => {
    const lineEnds = fc.constantFrom('\n', '\r\n', '\r')
    const source = fc.tuple(fc.array(fc.stringMatching(/^[a-z (){};]{0,12}$/), { minLength: 1, maxLength: 6 }), lineEnds).map(([lines, end]) => lines.join(end))
    fc.assert(
      fc.property(
        source.chain((original) => fc.tuple(fc.constant(original), fc.nat({ max: original.length }), fc.nat({ max: original.length }), fc.nat({ max: original.length }))),
        ([original, a, b, to]) => {
          const [start, end] = a <= b ? [a, b] : [b, a]
          if (start === end || (to >= start && to <= end)) return // nothing to move, or a move onto itself
          if (/\r$/.test(original.slice(0, start)) && original[start] === '\n') return // never inside a \r\n pair
          if (/\r$/.test(original.slice(0, end)) && original[end] === '\n') return
          if (/\r$/.test(original.slice(0, to)) && original[to] === '\n') return
          const ours = new SourceEdits(original)
          ours.move(start, end, to)
          const reference = new MagicString(original)
          reference.move(start, end, to)
          const { code, map } = ours.apply('input.js')
          expect(code).toBe(reference.toString())
          // Line and column of an offset, lines split as ECMAScript splits them.
          const at = (text: string, offset: number) => {
            const before = text.slice(0, offset).split(/\r\n?|\n/)
            return { line: before.length, column: before.at(-1)!.length }
          }
          const trace = new TraceMap(map as never)
          const movedAt = code.indexOf(original.slice(start, end), to <= start ? to : to - (end - start))
          for (let i = start; i < end; i++) {
            if (/[\r\n]/.test(original[i]!)) continue
            expect(originalPositionFor(trace, at(code, movedAt + i - start))).toMatchObject(at(original, i))
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('rejects overlapping edits instead of writing garbled code', () => {
    const edits = new SourceEdits('abcdef')
    edits.replace(1, 4, 'X')
    edits.insert(2, 'Y')
    expect(() => edits.apply('x.js')).toThrow(/overlapping edits at 2/)
  })
})
