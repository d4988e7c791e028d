// The example's pragma pages compile through the path users get: its own vite.config.js, the
// plugin and runtime as installed packages (their dist/), a real `vite build`.
import { join } from 'node:path'
import { build, type Rollup } from 'vite'
import { describe, expect, it } from 'vitest'
import { BLOG_ROOT } from './blog-server.mjs'

function chunksOf(output: Awaited<ReturnType<typeof build>>): Rollup.OutputChunk[] {
  const outputs = Array.isArray(output) ? output : [output as Rollup.RollupOutput]
  return outputs.flatMap((result) => result.output.filter((item): item is Rollup.OutputChunk => item.type === 'chunk'))
}

describe('the example blog under vite build', () => {
  it('wraps its three pragma pages for node in the server build, each under its route', async () => {
    const output = await build({ root: BLOG_ROOT, logLevel: 'silent', build: { ssr: join(BLOG_ROOT, 'src/entry-server.js'), write: false } })
    const code = chunksOf(output).map((chunk) => chunk.code).join('\n')
    // Each compiled page's constant: its route, its ttl, and the pragma's tags (bundlers may reformat it).
    for (const [route, ttl] of [['/', 60], ['/posts/[slug]', 300], ['/categories/[id]', 120]] as const) {
      expect(code).toMatch(new RegExp(`"?route"?: ${JSON.stringify(route).replace(/[[\]/]/g, '\\$&')},\\s*"?ttl"?: ${ttl},`))
    }
    expect(code).toMatch(/"?tags"?: \["posts"\]/)
    expect(code).toContain('cachePage(')
  })

  it('builds the browser bundle with the browser runtime for the island', async () => {
    const loaded: string[] = []
    const output = await build({
      root: BLOG_ROOT,
      logLevel: 'silent',
      plugins: [{ name: 'record-loads', load: (id: string) => void loaded.push(id.replaceAll('\\', '/')) }],
      build: { write: false },
    })
    expect(loaded.some((id) => id.endsWith('runtime/dist/targets/browser.js'))).toBe(true)
    expect(chunksOf(output).some((chunk) => chunk.code.includes('posts:all'))).toBe(true)
  })
})
