import { transformSync } from '@babel/core'
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping'
import { describe, expect, it } from 'vitest'
import babelPlugin from '../src/babel.js'
import { transform } from '../src/index.js'

/** Line (from 1) and column (from 0) of the first occurrence of `needle` in `code`. */
function positionOf(code: string, needle: string) {
  const offset = code.indexOf(needle)
  expect(offset, `"${needle}" in the code`).toBeGreaterThan(-1)
  const before = code.slice(0, offset).split('\n')
  return { line: before.length, column: before.at(-1)!.length }
}

const page = `# Pragma: revalidate 60
import { db } from './db'

export async function loader({ params }) {
  const post = await db.post(params.slug)
  return { post }
}

export default async function unused() {}
`

describe('source maps', () => {
  for (const target of ['node', 'vercel'] as const) {
    it(`map a position inside the loader back to its original line and column (${target})`, () => {
      const result = transform(page, '/app/src/routes/posts/[slug].ts', { target, root: '/app' })!
      const map = new TraceMap(JSON.parse(JSON.stringify(result.map)) as never)
      for (const needle of ['db.post(params.slug)', 'return { post }', 'export default async']) {
        const original = originalPositionFor(map, positionOf(result.code, needle))
        expect(original).toMatchObject({ source: '/app/src/routes/posts/[slug].ts', ...positionOf(page, needle) })
      }
    })
  }

  it('the Babel path maps back to the page as written too (its map merged into Babel’s)', () => {
    const id = '/app/src/routes/posts/[slug].js'
    const output = transformSync(page, { filename: id, babelrc: false, configFile: false, sourceMaps: true, plugins: [[babelPlugin, { root: '/app' }]] })!
    const map = new TraceMap(output.map as never)
    // Both on a line where the transform inserted code (the runtime import) and on one it did not.
    for (const needle of ["'./db'", 'db.post(params.slug)']) {
      expect(originalPositionFor(map, positionOf(output.code!, needle))).toMatchObject({ source: id, ...positionOf(page, needle) })
    }
  })

  it('maps a declaration moved out of the cached code (an Astro export, a helper) back to where it was written', () => {
    const astro = '---\n// Pragma: revalidate 60\nconst posts = await getPosts()\nexport const prerender = false\nfunction title(p) { return p.title }\nconst more = await getMore()\n---\n<p>{posts.map(title)}</p>\n'
    const id = '/app/src/pages/index.astro'
    const result = transform(astro, id, { root: '/app' })!
    expect(result.code.indexOf('export const prerender')).toBeLessThan(result.code.indexOf('__rv_cachePage(__rv_page')) // moved before the fetcher
    const map = new TraceMap(JSON.parse(JSON.stringify(result.map)) as never)
    for (const needle of ['export const prerender = false', 'return p.title', 'getMore()']) {
      expect(originalPositionFor(map, positionOf(result.code, needle))).toMatchObject({ source: id, ...positionOf(astro, needle) })
    }
  })

  it('map the body of a function cached with a pragma back to where it was written', () => {
    const module = "import { db } from './db'\n\n// Pragma: revalidate 5m tags post:{slug}\nexport async function getPost(slug) {\n  const post = await db.post(slug)\n  return post\n}\n\n// Pragma: revalidate 60\nexport const count = async () => db.count()\n"
    const id = '/app/src/lib/posts.js'
    const result = transform(module, id, { root: '/app' })!
    const map = new TraceMap(JSON.parse(JSON.stringify(result.map)) as never)
    for (const needle of ['db.post(slug)', 'return post', 'db.count()', 'export const count']) {
      expect(originalPositionFor(map, positionOf(result.code, needle))).toMatchObject({ source: id, ...positionOf(module, needle) })
    }
  })

  it('is high resolution: every character of an unchanged line maps to itself', () => {
    const result = transform(page, '/app/src/routes/x.ts', { root: '/app' })!
    const map = new TraceMap(JSON.parse(JSON.stringify(result.map)) as never)
    const { line } = positionOf(result.code, 'const post')
    for (let column = 2; column < 30; column++) {
      expect(originalPositionFor(map, { line, column })).toMatchObject({ line: positionOf(page, 'const post').line, column })
    }
  })
})
