// `astro build` of the blog, as `npm start` runs it: the summary lists the pragma page where it runs
// (the server) and nowhere else, the server build wraps that page, and the client bundle carries
// the island with the browser runtime and nothing of the server's.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildAstroBlog } from './astro-blog.js'

let outDir: string
let output: string

beforeAll(() => {
  ;({ outDir, output } = buildAstroBlog('build'))
}, 300_000)

const filesIn = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => /\.m?js$/.test(file)).map((file) => ({ file, code: readFileSync(join(dir, file), 'utf8') }))

describe('the Astro blog under astro build', () => {
  it('lists the post page in the build summary: its route, ttl and target, in the server build only', () => {
    expect(output).toMatch(/\[revalidate\] 1 cached page\(s\) in ssr:\n\s*\/posts\/\[slug\]\s+300s\s+node\n/)
    expect(output).not.toMatch(/cached page\(s\) in (?!ssr)/)
  })

  it('wraps the post page’s frontmatter for node, with the pragma’s ttl and tag; the not-found rewrite stays outside', () => {
    const page = filesIn(join(outDir, 'server')).find(({ code }) => code.includes('await cachePage({'))
    expect(page, 'the compiled post page').toBeDefined()
    expect(page!.code).toMatch(/cachePage\(\{\s*"route": "\/posts\/\[slug\]",\s*"ttl": 300,[^}]*"tags": \["posts"\]\s*\}, Astro,/)
    expect(page!.code).toMatch(/\}\);\s*if \(!post\) return Astro\.rewrite\("\/404"\);/)
  })

  it('bundles the island with the browser runtime (Cache Storage) and none of the server’s code', () => {
    const client = filesIn(join(outDir, 'client'))
    const island = client.filter(({ code }) => code.includes('posts:all'))
    expect(island.length).toBeGreaterThan(0)
    expect(island.some(({ code }) => code.includes('https://revalidate.invalid/') && code.includes('/api/posts'))).toBe(true)
    for (const { file, code } of client) expect(code, file).not.toMatch(/node:sqlite|cachePage|BLOG_DB/)
  })
})
