// docs/performance.md quotes what bench/RESULTS.md says: its figures are made from RESULTS.md by
// bench/performance-figures.ts, never typed by hand (issue 17).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { END_MARKER, PAGE, performanceFigures, START_MARKER, tablesOf, updatePage } from '../bench/performance-figures.js'

const page = readFileSync(PAGE, 'utf8')
const results = readFileSync(new URL('../bench/RESULTS.md', import.meta.url), 'utf8')
const figuresOnPage = page.slice(page.indexOf(START_MARKER) + START_MARKER.length, page.indexOf(END_MARKER))

/** The numbers of a text: 1.49, 12,709, 0.00071, 4.2 (not the section numbers of headings). */
const numbersOf = (text: string) => text.match(/\d[\d,]*(?:\.\d+)?/g) ?? []

describe('the performance figures of docs/performance.md', () => {
  it('are what bench/performance-figures.ts makes of bench/RESULTS.md', () => {
    expect(page.includes(START_MARKER) && page.includes(END_MARKER)).toBe(true)
    expect(updatePage(page, results)).toBe(page)
  })

  it('quote only numbers that RESULTS.md has: none computed, rounded or typed anew', () => {
    const inResults = new Set(numbersOf(results))
    const quoted = numbersOf(figuresOnPage.replace(/\[[^\]]*\]\([^)]*\)/g, '')) // not the link texts
    expect(quoted.length).toBeGreaterThan(20)
    expect(quoted.filter((number) => !inResults.has(number))).toEqual([])
  })

  it('carry every target of RESULTS.md with its verdict', () => {
    const targets = tablesOf(results).find((table) => table.heading === 'Targets')!
    expect(targets.rows.length).toBeGreaterThanOrEqual(7)
    for (const [figure, , measured, verdict] of targets.rows) {
      const line = figuresOnPage.split('\n').find((candidate) => candidate.startsWith(`| ${figure} |`))
      expect(line, figure).toContain(`| ${measured} |`)
      expect(line, figure).toContain(verdict === 'met' ? '| met |' : '**not met**')
    }
  })

  it('are refused when RESULTS.md lacks a figure the page quotes, naming it', () => {
    const withoutMemoryTier = results.replace(/^\| Redis \+ memory tier.*$/m, '')
    expect(() => performanceFigures(withoutMemoryTier)).toThrow(/heading starting "6\. Many instances" with a row starting "Redis \+ memory tier"/)
    expect(() => performanceFigures(results.replace('## Targets', '## Aims'))).toThrow(/no "Targets" table/)
  })

  it('are refused in a page without the markers that hold them', () => {
    expect(() => updatePage('# Performance\n\nFast.\n', results)).toThrow(/no performance figures between/)
  })
})
