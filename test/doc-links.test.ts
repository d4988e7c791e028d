// Every relative link of README.md and docs/ (and of the READMEs of the examples and benchmarks,
// which they link to) leads somewhere: the file exists, and an `#anchor` names a heading of that
// page as GitHub spells the anchor (see markdown.ts, slugOf), or an explicit `<a id>` of it.
import { existsSync, statSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'
import { documentationPages, readPage, ROOT, slugOf, type Page } from './markdown.js'

const pages = new Map<string, Page>()
const pageAt = (path: string) => {
  let page = pages.get(path)
  if (page === undefined) pages.set(path, (page = readPage(path)))
  return page
}

/** What is wrong with one link of `page`, or undefined when it leads somewhere. */
function brokenLink(page: Page, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined // https:, mailto:: not ours to check
  const hash = target.indexOf('#')
  const file = hash === -1 ? target : target.slice(0, hash)
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1))
  const path = file === '' ? page.path : normalize(join(dirname(page.path), decodeURIComponent(file)))
  if (path.startsWith('..')) return `${target} leaves the repository`
  if (!existsSync(join(ROOT, path))) return `${target}: there is no ${path}`
  if (anchor === undefined) return undefined
  if (!path.endsWith('.md') || statSync(join(ROOT, path)).isDirectory()) return `${target}: an anchor into ${path}, which is not a Markdown page`
  const { anchors } = pageAt(path)
  if (anchors.includes(anchor)) return undefined
  return `${target}: ${path} has no heading with the anchor #${anchor} (its anchors: ${anchors.join(', ')})`
}

describe('links of README.md and docs/', () => {
  const paths = [...documentationPages(), 'examples/blog/README.md', 'examples/astro-blog/README.md', 'bench/README.md']

  it('finds the pages and their links', () => {
    expect(paths).toContain('docs/diagnostics.md')
    expect(paths.reduce((sum, path) => sum + pageAt(path).links.length, 0)).toBeGreaterThan(100)
  })

  it.each(paths)('%s: every relative link and anchor resolves', (path) => {
    const page = pageAt(path)
    const broken = page.links.flatMap((link) => {
      const problem = brokenLink(page, link.target)
      return problem === undefined ? [] : [`${path}:${link.line}: ${problem}`]
    })
    expect(broken).toEqual([])
  })
})

describe("the anchors GitHub gives headings (what the link check relies on)", () => {
  it('keeps letters, digits, spaces as hyphens, `-` and `_`; drops the rest, markup included', () => {
    const slug = (text: string) => slugOf(text, new Map())
    expect(slug('Cancellation and timeouts')).toBe('cancellation-and-timeouts')
    expect(slug('`withCacheHeader(respond, { header })` (node)')).toBe('withcacheheaderrespond--header--node')
    expect(slug('Write `// Pragma:`, never `# Pragma:`')).toBe('write--pragma-never--pragma')
    expect(slug('[Redis](targets/redis.md): many instances')).toBe('redis-many-instances')
    expect(slug('Universal loads (`+page.ts`, `+layout.ts`): refused on the server')).toBe('universal-loads-pagets-layoutts-refused-on-the-server')
    expect(slug('Café & crème_brûlée')).toBe('café--crème_brûlée')
  })

  it('numbers a repeated heading', () => {
    const seen = new Map<string, number>()
    expect(['Errors', 'Errors', 'Errors'].map((text) => slugOf(text, seen))).toEqual(['errors', 'errors-1', 'errors-2'])
  })

  it('reports a missing file and a missing anchor, naming them', () => {
    const page = pageAt('docs/runtime.md')
    expect(brokenLink(page, 'targets/nowhere.md')).toMatch(/there is no docs\/targets\/nowhere\.md/)
    expect(brokenLink(page, 'targets/redis.md#no-such-heading')).toMatch(/docs\/targets\/redis\.md has no heading with the anchor #no-such-heading/)
    expect(brokenLink(page, '#values')).toBeUndefined()
    expect(brokenLink(page, 'diagnostics.md#rv201')).toBeUndefined()
    expect(brokenLink(page, 'diagnostics.md#rv999')).toMatch(/docs\/diagnostics\.md has no heading with the anchor #rv999/)
    expect(brokenLink(page, 'https://example.com/#anything')).toBeUndefined()
  })
})
