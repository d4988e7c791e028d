// Code in README.md and docs/ is code that runs: every TypeScript and JavaScript block type-checks
// against the packages, every pragma example compiles (and every example of a refused page is
// refused, with the message its section of docs/diagnostics.md names), and every block of
// compiled output is what the compiler gives. How the blocks are read: doc-blocks.ts.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DIAGNOSTICS, type DiagnosticCode } from '../packages/plugin/src/diagnostics.js'
import { appsOf, compileSnippet, NOT_INSTALLED, snippetsOf, typeCheck, where, type Snippet } from './doc-blocks.js'
import { documentationPages, readPage, ROOT } from './markdown.js'

const pages = documentationPages().map(readPage)
const snippets = snippetsOf(pages)
const apps = appsOf(snippets)
const checked = snippets.filter((snippet) => snippet.kind !== 'other' && snippet.partial === undefined)
const compiles = (snippet: Snippet) => snippet.kind === 'astro' || snippet.fails || /Pragma:/i.test(snippet.block.code)
const failures = new Map(checked.filter((snippet) => snippet.fails).map((snippet) => [snippet, compileSnippet(snippet, apps).error]))

/**
 * Blocks that are not TypeScript on purpose, compiled but not type-checked: a failing example the
 * compiler refuses for its syntax (`This page does not parse`, a `#` line), and an app module a
 * failing example names as not parsing (`reads code of src/lib/cms.ts, but that module does not parse`).
 */
function notTypeScript(): Set<Snippet> {
  const skip = new Set<Snippet>()
  for (const [snippet, error] of failures) {
    if (error === undefined) continue
    if (/^\[RV310\]|^\[RV109\]/.test(error)) skip.add(snippet)
    const module = /reads code of (\S+), but that module does not parse/.exec(error)?.[1]
    if (module === undefined) continue
    skip.add(snippet)
    for (const other of checked) if (other.app === snippet.app && other.path === module) skip.add(other)
  }
  return skip
}

/** The block a block of compiled output shows the compiler's output of: the one before it of the same file, else the one before it. */
function sourceOf(output: Snippet): Snippet | undefined {
  const before = snippets.slice(0, snippets.indexOf(output)).reverse().filter((snippet) => snippet.page === output.page && !snippet.compiled && snippet.kind !== 'other')
  return before.find((snippet) => snippet.path === output.path) ?? before[0]
}

interface DiagnosticSection {
  /** `RV201`, from the heading `## RV201: A per-visitor read`. */
  code: string
  /** Its `> ` line's code spans, each a message with `…` standing for anything. */
  patterns: RegExp[]
}

/** The sections of docs/diagnostics.md, by heading. */
function diagnosticSections(): Map<string, DiagnosticSection> {
  const sections = new Map<string, DiagnosticSection>()
  const text = readFileSync(join(ROOT, 'docs/diagnostics.md'), 'utf8')
  for (const part of text.split(/^## /m).slice(1)) {
    const heading = part.slice(0, part.indexOf('\n'))
    const quoted = part.split('\n').filter((line) => line.startsWith('> ')).join(' ')
    const patterns = [...quoted.matchAll(/``\s(.+?)\s``|`([^`]+)`/g)].map((match) => {
      const message = (match[1] ?? match[2])!
      return new RegExp(`^${message.split('…').map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?')}`)
    })
    sections.set(heading, { code: /^RV\d+/.exec(heading)?.[0] ?? '', patterns })
  }
  return sections
}

/** A message's code and the rest of its first line: `[RV201] \`cookies\` reads …` -> ['RV201', '`cookies` reads …']. */
function splitCode(message: string): [string, string] {
  const match = /^\[(RV\d+)\] (.*)$/s.exec(message)
  return match ? [match[1]!, match[2]!] : ['', message]
}

describe('code blocks of README.md and docs/', () => {
  it('are found, and each names its language', () => {
    expect(checked.length).toBeGreaterThan(60)
    expect(snippets.filter((snippet) => snippet.block.lang === '').map((snippet) => where(snippet, -1))).toEqual([])
  })

  it('a partial block says why it is partial', () => {
    const partial = snippets.filter((snippet) => snippet.partial !== undefined)
    expect(partial.filter((snippet) => snippet.partial === '').map((snippet) => where(snippet, -1))).toEqual([])
    const byReason = new Map<string, number>()
    for (const snippet of partial) byReason.set(snippet.partial!, (byReason.get(snippet.partial!) ?? 0) + 1)
    console.info(
      `docs: ${checked.filter((snippet) => snippet.kind === 'script').length} blocks type-checked, ${checked.filter(compiles).length} compiled, ` +
        `${partial.length} partial: ${[...byReason].map(([reason, count]) => `${reason} (${count})`).join('; ') || 'none'}; ` +
        `packages not installed here, declared in doc-blocks.ts: ${Object.keys(NOT_INSTALLED).join(', ') || 'none'}`,
    )
  })

  it('type-check against the packages, as modules of an app', () => {
    expect(typeCheck(snippets, apps, notTypeScript()).map((error) => `${error.where}: ${error.message}`)).toEqual([])
  })

  it('with a pragma, compile; a `fails` block is refused', () => {
    const wrong = checked.filter((snippet) => compiles(snippet) && !snippet.compiled).flatMap((snippet) => {
      if (snippet.fails) return failures.get(snippet) === undefined ? [`${where(snippet, -1)}: compiles, but the block says it fails`] : []
      const result = compileSnippet(snippet, apps)
      if (result.error !== undefined) return [`${where(snippet, -1)}: ${result.error}`]
      return result.code === undefined ? [`${where(snippet, -1)}: the compiler finds no pragma in it`] : []
    })
    expect(wrong).toEqual([])
  })

  it('of compiled output are what the compiler gives for the block before them', () => {
    const outputs = checked.filter((snippet) => snippet.compiled)
    expect(outputs.length).toBeGreaterThanOrEqual(3)
    for (const output of outputs) {
      const source = sourceOf(output)
      expect(source, `${where(output, -1)}: no block before it to compile`).toBeDefined()
      expect(compileSnippet(source!, apps, output.options).code, where(output, -1)).toBe(output.block.code)
    }
  })
})

describe("the plugin's own README, shipped in the package", () => {
  it("names the runtime function that the README's compiled page calls", () => {
    const output = snippets.find((snippet) => snippet.page === 'README.md' && snippet.compiled)
    const called = /import \{ (\w+) as __rv_\w+ \} from "@revalidate\/runtime\/node"/.exec(output?.block.code ?? '')?.[1]
    expect(called).toBe('cachePage')
    const targets = readFileSync(join(ROOT, 'packages/plugin/README.md'), 'utf8').split('\n\n').find((paragraph) => paragraph.startsWith('Targets: '))
    expect(targets).toMatch(new RegExp(`wrap the page data in a call of \`${called}\``))
  })
})

describe('docs/diagnostics.md', () => {
  const sections = diagnosticSections()

  it('has a section for each diagnostic, named by its code, with the messages it covers', () => {
    expect(sections.size).toBeGreaterThanOrEqual(38)
    expect([...sections].filter(([, section]) => section.code === '' || section.patterns.length === 0).map(([heading]) => heading)).toEqual([])
  })

  it('shows in each section a page that fails with one of its messages', () => {
    const failing = checked.filter((snippet) => snippet.page === 'docs/diagnostics.md' && snippet.fails)
    const wrong: string[] = []
    for (const [heading, { code, patterns }] of sections) {
      // A warning's page compiles: its section shows the line the build prints instead.
      if (DIAGNOSTICS[code as DiagnosticCode]?.severity === 'warning') continue
      const examples = failing.filter((snippet) => snippet.block.section === heading)
      if (examples.length === 0 && !snippets.some((snippet) => snippet.page === 'docs/diagnostics.md' && snippet.block.section === heading && snippet.partial !== undefined)) wrong.push(`"${heading}": no example that fails`)
      for (const example of examples) {
        const error = failures.get(example)
        if (error === undefined) continue
        const [given, message] = splitCode(error)
        if (given !== code || !patterns.some((pattern) => pattern.test(message))) wrong.push(`${where(example, -1)} ("${heading}"): fails with "${error}", which is not one of the section's messages`)
      }
    }
    expect(wrong).toEqual([])
  })

  it("covers the message of every error fixture, in the section of the message's code", () => {
    const byCode = new Map([...sections.values()].map((section) => [section.code, section.patterns]))
    // fixtures/<framework>/<case>/error.txt (an error-<case>), error.<target>.txt (a page one target refuses)
    const suites = readdirSync(join(ROOT, 'fixtures'), { withFileTypes: true }).filter((entry) => entry.isDirectory())
    const cases = suites.flatMap((suite) => readdirSync(join(ROOT, 'fixtures', suite.name), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => `${suite.name}/${entry.name}`))
    const expected = cases.flatMap((name) => readdirSync(join(ROOT, 'fixtures', name)).filter((file) => /^error(\.\w+)?\.txt$/.test(file)).map((file) => `${name}/${file}`))
    expect(expected.length).toBeGreaterThan(60)
    for (const name of expected) {
      const [code, message] = splitCode(readFileSync(join(ROOT, 'fixtures', name), 'utf8').split('\n')[0]!.replace(/^.*?:\d+:\d+: /, ''))
      expect(byCode.get(code)?.some((pattern) => pattern.test(message)), `${name}: [${code}] ${message}`).toBe(true)
    }
  })
})
