// The plugin in its hosts' own shapes: the Vite plugin's hooks (include/exclude in the handler,
// ids with a query, per-environment build state reset by buildStart) and the Babel plugin
// (Babel's version check, option validation with "did you mean").
import { transformSync } from '@babel/core'
import { describe, expect, it } from 'vitest'
import babelPlugin from '../src/babel.js'
import revalidate from '../src/vite.js'

const PAGE = '# Pragma: revalidate 60\nexport async function loader() { return { posts: await db.posts() } }\n'

type Handler = (this: object, code: string, id: string) => Promise<{ code: string } | null> | null
type Hook = (this: object, ...args: unknown[]) => void

function plugin(options: Parameters<typeof revalidate>[0] = {}) {
  const created = revalidate(options)
  ;(created.configResolved as (config: object) => void)({ root: '/app', command: 'build' })
  const logged: string[] = []
  const environment = (name: string) => ({ name, config: { consumer: 'server', resolve: { conditions: [] } }, logger: { info: (line: string) => logged.push(line) } })
  return {
    logged,
    // A context as Vite's: the page imports nothing, so its resolver finds nothing.
    transform: async (id: string, name = 'ssr') => (created.transform as { handler: Handler }).handler.call({ environment: environment(name), resolve: async () => null, addWatchFile() {} }, PAGE, id),
    buildStart: (name = 'ssr') => (created.buildStart as Hook).call({ environment: environment(name) }),
    buildEnd: (name = 'ssr') => (created.buildEnd as Hook).call({ environment: environment(name) }),
  }
}

describe('the Vite plugin', () => {
  it('compiles a page whose id carries a query, and names it by its path', async () => {
    const vite = plugin()
    const result = await vite.transform('/app/app/routes/posts.tsx?__react-router-build-client-route')
    expect(result?.code).toContain('"route":"/posts"')
  })

  it('applies include and exclude in the handler too, to the path without its query', async () => {
    expect(await plugin({ exclude: /routes\/admin/ }).transform('/app/src/routes/admin/page.tsx?v=1')).toBeNull()
    expect(await plugin({ include: /\.page\.tsx$/ }).transform('/app/src/routes/posts.tsx')).toBeNull()
    expect(await plugin({ include: /\.page\.tsx$/ }).transform('/app/src/routes/posts.page.tsx?import')).not.toBeNull()
    expect(await plugin().transform('/app/node_modules/lib/page.js')).toBeNull()
    expect(await plugin().transform('\0virtual:page.tsx')).toBeNull()
  })

  it('keeps cached pages per environment and forgets them when that environment builds again', async () => {
    const vite = plugin()
    vite.buildStart('ssr')
    vite.buildStart('client')
    await vite.transform('/app/src/routes/a.tsx', 'ssr')
    await vite.transform('/app/src/routes/b.tsx', 'client')
    vite.buildEnd('ssr')
    expect(vite.logged.pop()).toMatch(/1 cached page\(s\) in ssr:\n\s+\/a\s/)
    vite.buildStart('ssr') // a watch-mode rebuild
    await vite.transform('/app/src/routes/c.tsx', 'ssr')
    vite.buildEnd('ssr')
    const rebuilt = vite.logged.pop()!
    expect(rebuilt).toMatch(/1 cached page\(s\) in ssr:\n\s+\/c\s/)
    expect(rebuilt).not.toContain('/a ')
    vite.buildEnd('client')
    expect(vite.logged.pop()).toMatch(/1 cached page\(s\) in client:\n\s+\/b\s/)
  })

  it('rejects an unknown option with "did you mean"', () => {
    expect(() => revalidate({ exlude: /x/ } as never)).toThrow(/'exlude' is not a valid top-level option\.\n- Did you mean 'exclude'\?/)
    expect(() => revalidate({ framework: 'remix' } as never)).toThrow(/'framework' must be one of astro, next, sveltekit, react-router, tanstack-start, qwik, vite, got "remix"/)
  })
})

describe('the Vite plugin in dev', () => {
  const taps = () => (globalThis as { [key: symbol]: Set<(event: object) => void> | undefined })[Symbol.for('@revalidate/runtime:event-taps')]
  const devServer = (lines: string[]) => ({ config: { logger: { info: (line: string) => lines.push(line) } } })

  it('logs each cache event of a compiled page on one line, until the server closes', () => {
    const lines: string[] = []
    const plugin = revalidate()
    ;(plugin.configureServer as (server: object) => void)(devServer(lines))
    for (const tap of taps() ?? []) tap({ type: 'hit', key: 'page:/posts/hello', age: 12_400 })
    for (const tap of taps() ?? []) tap({ type: 'miss', key: 'posts:all' }) // a hand-written key: not a page
    expect(lines).toEqual(['[revalidate] HIT page:/posts/hello age 12s'])
    const before = taps()!.size
    ;(plugin.closeBundle as () => void)()
    expect(taps()!.size).toBe(before - 1)
  })

  it('logs nothing with log: false', () => {
    const before = taps()?.size ?? 0
    ;(revalidate({ log: false }).configureServer as (server: object) => void)(devServer([]))
    expect(taps()?.size ?? 0).toBe(before)
  })
})

describe('the Babel plugin', () => {
  const run = (options: object) => transformSync(PAGE.replace('#', '//'), { filename: '/app/src/routes/a.js', babelrc: false, configFile: false, plugins: [[babelPlugin, options]] })

  it('is declared for Babel 7 and refuses another major', () => {
    expect(() => babelPlugin({ version: '6.26.0' } as never, {}, '/')).toThrow(/Requires Babel "\^7\.0\.0-0", but was loaded with "6\.26\.0"/)
  })

  it('rejects an unknown or mistyped option with "did you mean"', () => {
    expect(() => run({ taget: 'node' })).toThrow(/'taget' is not a valid top-level option\.\n- Did you mean 'target'\?/)
    expect(() => run({ loaders: 'loader' })).toThrow(/'loaders' option must be an array of names/)
    expect(run({ target: 'node' })?.code).toContain('__rv_cachePage(')
  })

  it("reports a wrong # pragma from Babel's own parse of the page, the header's # line read as the compiler reads it", () => {
    // A block comment above it quotes a `# Pragma` line: only the header's own # line is turned into a comment.
    const code = '/*\n# Pragma: revalidate 60 (as the docs write it)\n*/\n# Pragma: revalidate 0\nexport async function loader() { return { posts: await db.posts() } }\n'
    let error: (Error & { code?: string; loc?: object }) | undefined
    try {
      transformSync(code, { filename: '/app/src/routes/a.js', babelrc: false, configFile: false, plugins: [[babelPlugin, { target: 'node' }]] })
    } catch (caught) {
      error = caught as typeof error
    }
    expect(error?.message).toMatch(/a\.js:4:22: The ttl "0" must be greater than 0\./)
    expect(error?.code).toBe('BABEL_TRANSFORM_ERROR') // framed by the Program visitor, not a failed parse
    expect(error?.loc).toMatchObject({ line: 4, column: 21 })
  })
})
