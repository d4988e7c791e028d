// What npm users get: the files each published package packs, source maps that point only at
// what is shipped (or carry the sources inline), so a stack trace never names a missing file, and
// the pages of docs/ each package ships, where its messages link.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DIAGNOSTICS, DIAGNOSTICS_PAGE } from '../packages/plugin/src/diagnostics.js'
import { docsLink } from '../packages/runtime/src/docs-link.js'
import { slugOf } from './markdown.js'

const ROOT = join(import.meta.dirname, '..')
const PACKAGES = ['runtime', 'plugin']

function packedFiles(dir: string): string[] {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const [report] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>
  return report!.files.map((file) => file.path)
}

describe.each(PACKAGES)('@revalidate/%s as published', (name) => {
  const dir = join(ROOT, 'packages', name)
  const files = packedFiles(dir)
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { repository?: { url?: string; directory?: string }; exports: Record<string, Record<string, string>>; bin?: Record<string, string> }

  it('ships every file its exports name', () => {
    const named = Object.values(manifest.exports).flatMap((entry) => (typeof entry === 'string' ? [entry] : Object.values(entry)))
    for (const path of named) expect(files, path).toContain(normalize(path).replace(/^\.\//, ''))
  })

  it('ships every command its bin names, as a script node runs', () => {
    for (const path of Object.values(manifest.bin ?? {})) {
      expect(files, path).toContain(normalize(path).replace(/^\.\//, ''))
      expect(readFileSync(join(dir, path), 'utf8').startsWith('#!/usr/bin/env node\n'), path).toBe(true)
    }
  })

  it('source maps carry their sources, or point at shipped files', () => {
    const maps = files.filter((file) => file.endsWith('.map'))
    expect(maps.length).toBeGreaterThan(0)
    for (const map of maps) {
      const { sources, sourcesContent = [] } = JSON.parse(readFileSync(join(dir, map), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> }
      sources.forEach((source, index) => {
        const shipped = files.includes(normalize(join(dirname(map), source)))
        expect(shipped || typeof sourcesContent[index] === 'string', `${map} -> ${source}`).toBe(true)
      })
    }
  })

  it('names its repository', () => {
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\/github\.com\//)
    expect(manifest.repository?.directory).toBe(`packages/${name}`)
  })
})

describe("@revalidate/plugin's page of diagnostics, as published", () => {
  const dir = join(ROOT, 'packages/plugin')
  const files = packedFiles(dir)
  const shipped = DIAGNOSTICS_PAGE.replace('node_modules/@revalidate/plugin/', '')

  it('is packed where the messages link, a copy of docs/diagnostics.md made by the build', () => {
    expect(files).toContain(shipped)
    const copy = readFileSync(join(dir, shipped), 'utf8')
    // Sections and examples as the repository's page has them (the build only rewrites links to other pages).
    const sections = (text: string) => text.split('\n').filter((line) => line.startsWith('## ') || line.startsWith('<a id='))
    expect(sections(copy)).toEqual(sections(readFileSync(join(ROOT, 'docs/diagnostics.md'), 'utf8')))
  })

  it("has every code's anchor, and no link to a file the package does not ship", () => {
    const copy = readFileSync(join(dir, shipped), 'utf8')
    for (const code of Object.keys(DIAGNOSTICS)) expect(copy, code).toContain(`<a id="${code.toLowerCase()}"></a>`)
    const relative = [...copy.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    expect(relative.filter((target) => !files.includes(normalize(join(dirname(shipped), target))))).toEqual([])
  })
})

describe("@revalidate/runtime's pages of docs, as published", () => {
  const dir = join(ROOT, 'packages/runtime')
  const files = packedFiles(dir)
  // Every docsLink('<page>', '<heading>') of the runtime's source.
  const sources = (readdirSync(join(dir, 'src'), { recursive: true }) as string[]).filter((file) => file.endsWith('.ts'))
  const calls = sources.flatMap((file) => [...readFileSync(join(dir, 'src', file), 'utf8').matchAll(/docsLink\('([^']+)'(?:, '([^']+)')?\)/g)])
  const links = [...new Set(calls.map((match) => `docs/${match[1]}#${match[2] ?? ''}`))]

  it('every page a message links to is packed, with the heading the link names', () => {
    expect(links.length).toBeGreaterThanOrEqual(5)
    for (const link of links) {
      const [page, heading] = link.split('#') as [string, string]
      expect(files, link).toContain(page)
      if (heading === '') continue
      // The anchor docsLink makes is the one GitHub gives that heading of the shipped page (markdown.ts, slugOf).
      const seen = new Map<string, number>()
      const anchors = readFileSync(join(dir, page), 'utf8').split('\n').filter((line) => /^#{1,6} /.test(line)).map((line) => slugOf(line.replace(/^#+ /, ''), seen))
      expect(anchors, link).toContain(docsLink(page.slice('docs/'.length), heading).split('#')[1])
    }
  })

  it('a shipped page links only to pages the package ships', () => {
    for (const page of files.filter((file) => file.startsWith('docs/'))) {
      const text = readFileSync(join(dir, page), 'utf8')
      const relative = [...text.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      expect(relative.filter((target) => !files.includes(normalize(join(dirname(page), target)))), page).toEqual([])
    }
  })
})
