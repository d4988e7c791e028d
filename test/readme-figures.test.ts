// The README quotes what bench/RESULTS.md says: its performance figures are made from RESULTS.md
// by bench/readme-figures.ts, never typed by hand (issue 17).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { END_MARKER, performanceFigures, START_MARKER, tablesOf, updateReadme } from '../bench/readme-figures.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const results = readFileSync(new URL('../bench/RESULTS.md', import.meta.url), 'utf8')
const figuresInReadme = readme.slice(readme.indexOf(START_MARKER) + START_MARKER.length, readme.indexOf(END_MARKER))

/** The numbers of a text: 1.49, 12,709, 0.00071, 4.2 (not the section numbers of headings). */
const numbersOf = (text: string) => text.match(/\d[\d,]*(?:\.\d+)?/g) ?? []

describe("the README's performance figures", () => {
  it('are what bench/readme-figures.ts makes of bench/RESULTS.md', () => {
    expect(readme.includes(START_MARKER) && readme.includes(END_MARKER)).toBe(true)
    expect(updateReadme(readme, results)).toBe(readme)
  })

  it('quote only numbers that RESULTS.md has: none computed, rounded or typed anew', () => {
    const inResults = new Set(numbersOf(results))
    const quoted = numbersOf(figuresInReadme.replace(/\[[^\]]*\]\([^)]*\)/g, '')) // not the link texts
    expect(quoted.length).toBeGreaterThan(20)
    expect(quoted.filter((number) => !inResults.has(number))).toEqual([])
  })

  it('carry every target of RESULTS.md with its verdict', () => {
    const targets = tablesOf(results).find((table) => table.heading === 'Targets')!
    expect(targets.rows.length).toBeGreaterThanOrEqual(7)
    for (const [figure, , measured, verdict] of targets.rows) {
      const line = figuresInReadme.split('\n').find((candidate) => candidate.startsWith(`| ${figure} |`))
      expect(line, figure).toContain(`| ${measured} |`)
      expect(line, figure).toContain(verdict === 'met' ? '| met |' : '**not met**')
    }
  })

  it('are refused when RESULTS.md lacks a figure the README quotes, naming it', () => {
    const withoutMemoryTier = results.replace(/^\| Redis \+ memory tier.*$/m, '')
    expect(() => performanceFigures(withoutMemoryTier)).toThrow(/heading starting "6\. Many instances" with a row starting "Redis \+ memory tier"/)
    expect(() => performanceFigures(results.replace('## Targets', '## Aims'))).toThrow(/no "Targets" table/)
  })

  it('are refused in a README without the markers that hold them', () => {
    expect(() => updateReadme('# A README\n\n## Performance\n\nFast.\n', results)).toThrow(/no performance figures between/)
  })
})
