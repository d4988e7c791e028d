// Every diagnostic is one entry of one table (src/diagnostics.ts) and one section of
// docs/diagnostics.md, and is proven by a fixture: both ways, so that neither a code without a
// page nor a page for a code nothing raises can creep in. The messages each section names are
// checked against the fixtures and the page's own examples in test/docs.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DIAGNOSTICS, diagnosticLink, type DiagnosticCode } from '../src/diagnostics.js'

const ROOT = join(import.meta.dirname, '../../..')
const PAGE = readFileSync(join(ROOT, 'docs/diagnostics.md'), 'utf8')
const CODES = Object.keys(DIAGNOSTICS) as DiagnosticCode[]

/** Codes no fixture can produce: why, and the test of the plugin that produces and checks each instead. */
const NOT_FROM_A_FIXTURE: Partial<Record<DiagnosticCode, { why: string; test: string }>> = {
  RV110: { why: 'raised when Vite resolves its config, before any module is compiled', test: 'hosts.test.ts' },
  RV311: { why: "needs code nested deeper than the JavaScript stack allows, which depends on the machine's stack size", test: 'safety.test.ts' },
  RV401: { why: 'a warning of a whole build, not of one page', test: 'hosts.test.ts' },
  RV402: { why: "a warning about the app's framework, found from its Vite plugins", test: 'hosts.test.ts' },
}

/** The page's sections: `## RV201: A per-visitor read`, each with the title after its code and whether `<a id="rv201"></a>` comes right before it. */
function sections(): Map<string, { title: string; anchored: boolean }> {
  const found = new Map<string, { title: string; anchored: boolean }>()
  for (const match of PAGE.matchAll(/^(<a id="([^"]*)"><\/a>\n\n)?## (RV\d{3}): (.+)$/gm)) {
    const code = match[3]!
    expect(found.has(code), `two sections for ${code}`).toBe(false)
    found.set(code, { title: match[4]!, anchored: match[2] === code.toLowerCase() })
  }
  return found
}

interface Produced {
  /** `fixtures/<suite>/<case>/error.txt` (or `error.<target>.txt`) */
  file: string
  code: string
  /** The message's `See:` line, without `See: `. */
  link: string | undefined
}

/** The code each fixture's expected error gives, from its first line: `/project/src/x.ts:1:22: [RV101] ...`. */
function producedByFixtures(): Produced[] {
  const fixtures = join(ROOT, 'fixtures')
  const dirs = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(dir, entry.name))
  return dirs(fixtures).flatMap(dirs).flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => /^error(\.\w+)?\.txt$/.test(file))
      .map((file) => {
        const text = readFileSync(join(dir, file), 'utf8')
        return { file: join(dir, file).slice(ROOT.length + 1), code: /^\S+:\d+:\d+: \[(RV\d+)\] /.exec(text)?.[1] ?? '(none)', link: /^See: (.*)$/m.exec(text)?.[1] }
      }),
  )
}

describe('the table of diagnostics and docs/diagnostics.md', () => {
  const page = sections()

  it('every code of the table has its section, under its own anchor, with the same title; every section is a code of the table', () => {
    expect([...page.keys()].sort()).toEqual([...CODES].sort())
    for (const code of CODES) {
      expect(page.get(code)?.title, code).toBe(DIAGNOSTICS[code].title)
      expect(page.get(code)?.anchored, `<a id="${code.toLowerCase()}"></a> right before the section of ${code}`).toBe(true)
    }
  })

  it('keeps the codes in their ranges: RV4xx are the warnings, and only they', () => {
    for (const code of CODES) {
      expect(code, code).toMatch(/^RV[1-5]\d\d$/)
      expect(DIAGNOSTICS[code].severity === 'warning', code).toBe(code.startsWith('RV4'))
    }
  })

  it('links each code to its section of the page the package ships', () => {
    expect(diagnosticLink('RV201')).toBe('node_modules/@revalidate/plugin/docs/diagnostics.md#rv201')
  })
})

describe('the fixtures and docs/diagnostics.md', () => {
  const produced = producedByFixtures()
  const codes = new Set(produced.map((fixture) => fixture.code))
  const page = sections()

  it('every code a fixture produces has its section, and the message links to it', () => {
    expect(produced.length).toBeGreaterThan(80)
    expect(produced.filter((fixture) => !page.has(fixture.code)).map((fixture) => `${fixture.file}: ${fixture.code}`)).toEqual([])
    expect(produced.filter((fixture) => fixture.link !== diagnosticLink(fixture.code as DiagnosticCode)).map((fixture) => `${fixture.file}: See: ${fixture.link}`)).toEqual([])
  })

  it('every section of an error is produced by some fixture (or, where no fixture can, by the test named for it)', () => {
    const errors = [...page.keys()].filter((code) => DIAGNOSTICS[code as DiagnosticCode]?.severity === 'error')
    expect(errors.filter((code) => !codes.has(code) && NOT_FROM_A_FIXTURE[code as DiagnosticCode] === undefined)).toEqual([])
    // A code listed there is produced by its test, checked by its code, and by no fixture (else the entry is stale).
    for (const [code, { test }] of Object.entries(NOT_FROM_A_FIXTURE)) {
      expect(codes.has(code), `${code} is produced by a fixture: drop it from NOT_FROM_A_FIXTURE`).toBe(false)
      const file = join(import.meta.dirname, test)
      expect(existsSync(file) && readFileSync(file, 'utf8').includes(code), `${test} checks a message with ${code}`).toBe(true)
    }
  })
})
