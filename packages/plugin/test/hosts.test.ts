// The plugin in its hosts' own shapes: the Vite plugin's hooks (include/exclude in the handler,
// ids with a query, per-environment build state reset by buildStart) and the Babel plugin
// (Babel's version check, option validation with "did you mean").
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { transformSync } from '@babel/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import babelPlugin from '../src/babel.js'
import revalidate from '../src/vite.js'
import { inspectorMiddleware } from '../src/dev-inspector.js'

const PAGE = '# Pragma: revalidate 60\nexport async function loader() { return { posts: await db.posts() } }\n'

type Handler = (this: object, code: string, id: string) => Promise<{ code: string } | null> | null
type Hook = (this: object, ...args: unknown[]) => void

function plugin(options: Parameters<typeof revalidate>[0] = {}) {
  const created = revalidate(options)
  ;(created.configResolved as (config: object) => void)({ root: '/app', command: 'build', plugins: [] })
  const logged: string[] = []
  const environment = (name: string) => ({
    name,
    config: { consumer: 'server', resolve: { conditions: [] } },
    logger: { info: (line: string) => logged.push(line), warn: (line: string) => logged.push(line) },
  })
  // The code each module ended with after every plugin, as the bundler keeps it.
  const builtCode = new Map<string, string>()
  // A context as Vite's: the page imports nothing, so its resolver finds nothing.
  const context = (name: string) => ({
    environment: environment(name),
    getModuleInfo: (id: string) => ({ code: builtCode.get(id) ?? null }),
    resolve: async () => null,
    addWatchFile() {},
  })
  return {
    logged,
    builtCode,
    transform: (id: string, name = 'ssr', code = PAGE) => (created.transform as { handler: Handler }).handler.call(context(name), code, id),
    buildStart: (name = 'ssr') => (created.buildStart as Hook).call(context(name)),
    buildEnd: (name = 'ssr') => (created.buildEnd as Hook).call(context(name)),
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

  it('lists only the pages still cached in what the environment built (React Router drops server-only loaders from the client)', async () => {
    const vite = plugin()
    const client = (await vite.transform('/app/app/routes/post.tsx?__react-router-build-client-route', 'client'))!
    await vite.transform('/app/app/routes/fast.tsx?__react-router-build-client-route', 'client')
    vite.builtCode.set('/app/app/routes/post.tsx?__react-router-build-client-route', 'export default function Post() {}') // the framework removed the loader
    vite.builtCode.set('/app/app/routes/fast.tsx?__react-router-build-client-route', client.code) // a loader that stays (TanStack's run in the browser too)
    vite.buildEnd('client')
    const summary = vite.logged.find((line) => line.includes('cached page(s)'))!
    expect(summary).toMatch(/1 cached page\(s\) in client:\n\s+\/fast\s/)
    expect(summary).not.toContain('/post ')
    const none = plugin()
    await none.transform('/app/app/routes/post.tsx?__react-router-build-client-route', 'client')
    none.builtCode.set('/app/app/routes/post.tsx?__react-router-build-client-route', 'export default function Post() {}')
    none.buildEnd('client')
    expect(none.logged.filter((line) => line.includes('cached page(s)'))).toEqual([])
  })

  it('warns once per build about `# Pragma:` lines in script files, naming each file and the `//` form', async () => {
    const vite = plugin()
    await vite.transform('/app/app/routes/a.tsx', 'client')
    await vite.transform('/app/app/routes/b.ts', 'client')
    await vite.transform('/app/app/routes/c.ts', 'client', PAGE.replace('#', '//'))
    await vite.transform('/app/app/routes/a.tsx', 'ssr')
    await vite.transform('/app/app/routes/b.ts', 'ssr')
    vite.buildEnd('client')
    vite.buildEnd('ssr')
    const warnings = vite.logged.filter((line) => line.includes('# Pragma:'))
    expect(warnings).toEqual([
      '[revalidate] [RV401] A `# Pragma:` line is not JavaScript: tsc, editors, ESLint and Prettier reject it. Write `// Pragma: revalidate <ttl>` instead in: app/routes/a.tsx, app/routes/b.ts. See: node_modules/@revalidate/plugin/docs/diagnostics.md#rv401',
    ])
  })

  it('says once that Nuxt is not supported, and compiles nothing there (no misleading parse error for .vue files)', () => {
    const warnings: string[] = []
    const created = revalidate({ include: /\.(vue|ts)$/ })
    const config = (plugins: string[]) => ({ root: '/app', command: 'build', plugins: plugins.map((name) => ({ name })), logger: { warn: (line: string) => warnings.push(line) } })
    const nuxtPlugins = ['vite:vue', 'nuxt:vite-node-server', 'nuxt:build-outputs', 'nitro:main', 'revalidate']
    ;(created.configResolved as (config: object) => void)(config(nuxtPlugins))
    ;(created.configResolved as (config: object) => void)(config(nuxtPlugins)) // Nuxt's client and server builds
    expect(warnings).toEqual([
      '[revalidate] [RV402] Nuxt is not supported yet: the pragma is ignored in this app (its .vue pages and Nitro routes are not compiled). Cache data with `withRevalidate(key, ttl, fetcher)` from @revalidate/runtime where it is loaded, or remove the plugin. See: node_modules/@revalidate/plugin/docs/diagnostics.md#rv402',
    ])
    const vue = '<script setup lang="ts">\n// Pragma: revalidate 60\nconst { data } = await useAsyncData(() => $fetch("/api/posts"))\n</script>\n<template><h1>a</h1><p>b</p></template>\n'
    const handler = (created.transform as { handler: Handler }).handler
    expect(handler.call({ environment: { name: 'ssr', config: { consumer: 'server', resolve: { conditions: [] } } } }, vue, '/app/app/pages/posts/[slug].vue')).toBeNull()
  })

  it('names SolidStart, and Nitro alone, but not Nitro serving a framework we support', () => {
    const warningFor = (names: string[]) => {
      const warnings: string[] = []
      ;(revalidate().configResolved as (config: object) => void)({ root: '/app', command: 'build', plugins: names.map((name) => ({ name })), logger: { warn: (line: string) => warnings.push(line) } })
      return warnings
    }
    expect(warningFor(['solid-start:manifest-plugin'])[0]).toMatch(/^\[revalidate\] \[RV402\] SolidStart is not supported yet: /)
    expect(warningFor(['nitro:main'])[0]).toMatch(/^\[revalidate\] \[RV402\] Nitro is not supported yet: /)
    expect(warningFor(['nitro:main', 'tanstack-start-core:server-fn-resolver', 'tanstack:router-generator'])).toEqual([])
    expect(warningFor(['react-router', 'vite:react-refresh'])).toEqual([])
  })

  it('refuses a .vue file named by include with a located error, not "Adjacent JSX elements"', async () => {
    const vite = plugin({ include: /\.vue$/ })
    const vue = '<script setup lang="ts">\n// Pragma: revalidate 60\nconst posts = await getPosts()\n</script>\n<template><h1>a</h1><p>b</p></template>\n'
    let error: (Error & { loc?: object; id?: string }) | undefined
    try {
      await vite.transform('/app/src/Posts.vue?vue&type=script&setup=true&lang.ts', 'ssr', vue)
    } catch (caught) {
      error = caught as typeof error
    }
    expect(error?.message).toMatch(/^\[RV309\] The pragma is read in JavaScript, TypeScript and \.astro files; \.vue files are not supported yet\.\nFix: load the data in a \.js or \.ts module/)
    expect(error?.message).not.toContain('JSX')
    expect(error?.id).toBe('/app/src/Posts.vue')
    expect(error?.loc).toEqual({ file: '/app/src/Posts.vue', line: 2, column: 4 })
  })

  it('where TanStack Router’s route generator runs, a `# Pragma:` route file is an error naming the file and the `//` form', () => {
    const root = mkdtempSync(join(tmpdir(), 'tanstack-routes-'))
    onTestFinished(() => rmSync(root, { recursive: true, force: true }))
    mkdirSync(join(root, 'src/routes/posts'), { recursive: true })
    writeFileSync(join(root, 'src/routes/index.tsx'), "// Pragma: revalidate 60\nexport const Route = createFileRoute('/')({ loader: () => ({}) })\n")
    writeFileSync(join(root, 'src/routes/posts/$slug.tsx'), "# Pragma: revalidate 60\nexport const Route = createFileRoute('/posts/$slug')({ loader: () => ({}) })\n")
    const resolveWith = (names: string[]) => (revalidate().configResolved as (config: object) => void)({ root, command: 'build', plugins: names.map((name) => ({ name })), logger: { warn() {} } })
    let error: Error | undefined
    try {
      resolveWith(['tanstack:router-generator', 'tanstack-start-core:server-fn-resolver'])
    } catch (caught) {
      error = caught as Error
    }
    // Vite prints an error of config time whole: the message names the place and holds the frame.
    expect(error?.message).toContain(`${join(root, 'src/routes/posts/$slug.tsx')}:1:1: [RV110] TanStack Router's route generator parses route files before any plugin, and a \`# Pragma:\` line is not JavaScript`)
    expect(error?.message).toContain("Could not resolve './routeTree.gen'")
    expect(error?.message).toContain('Fix: write it as a comment: `// Pragma: revalidate 60`.')
    expect(error?.message).toMatch(/> 1 \| # Pragma: revalidate 60\n/)
    expect(error?.stack).toBe(`RevalidateError: ${error?.message}`)
    expect(() => resolveWith(['react-router'])).not.toThrow() // no generator: the `#` line is compiled (and warned about) as usual
  })

  it('rejects an unknown option with "did you mean"', () => {
    expect(() => revalidate({ exlude: /x/ } as never)).toThrow(/'exlude' is not a valid top-level option\.\n- Did you mean 'exclude'\?/)
    expect(() => revalidate({ framework: 'remix' } as never)).toThrow(/'framework' must be one of astro, next, sveltekit, react-router, tanstack-start, qwik, vite, got "remix"/)
  })
})

describe('the Vite plugin in dev', () => {
  const taps = () => (globalThis as { [key: symbol]: Set<(event: object) => void> | undefined })[Symbol.for('@revalidate/runtime:event-taps')]
  const devServer = (lines: string[], middlewares: unknown[] = []) => ({ config: { logger: { info: (line: string) => lines.push(line) } }, middlewares: { use: (middleware: unknown) => middlewares.push(middleware) } })

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

  it('serves the inspector at /__revalidate, passing every other request on; inspector: false adds nothing', () => {
    const middlewares: Array<(req: { url?: string }, res: object, next: () => void) => void> = []
    ;(revalidate({ log: false }).configureServer as (server: object) => void)(devServer([], middlewares))
    expect(middlewares).toHaveLength(1)
    let passedOn = 0
    for (const url of ['/', '/__revalidatex', '/posts/__revalidate', '/src/main.ts?__revalidate']) middlewares[0]!({ url }, {}, () => passedOn++)
    expect(passedOn).toBe(4)
    const none: unknown[] = []
    ;(revalidate({ log: false, inspector: false }).configureServer as (server: object) => void)(devServer([], none))
    expect(none).toEqual([])
  })

  it('an app without @revalidate/runtime gets a page that says to install it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'revalidate-no-runtime-'))
    try {
      const answered = new Promise<{ status: number; body: string }>((resolve) => {
        let status = 0
        const res = { writeHead: (code: number) => (status = code), end: (body: string) => resolve({ status, body }) }
        inspectorMiddleware(() => root, () => [])({ url: '/__revalidate' } as never, res as never, () => resolve({ status: -1, body: 'passed on' }))
      })
      expect(await answered).toMatchObject({ status: 503, body: expect.stringContaining('needs @revalidate/runtime in this app (npm install @revalidate/runtime)') })
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
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
    expect(error?.message).toMatch(/a\.js:4:22: \[RV101\] The ttl "0" must be greater than 0\./)
    expect(error?.code).toBe('RV101') // the diagnostic's own code, which Babel keeps
    // Framed by Babel from the Program visitor, not a failed parse (in colour where the terminal has it).
    expect(stripVTControlCharacters(error?.message ?? '')).toMatch(/\n> 4 \| # Pragma: revalidate 0\n/)
    expect(error?.stack).not.toMatch(/\n\s+at /) // the page is at fault: no frames of Babel or the compiler
    expect(error?.loc).toMatchObject({ line: 4, column: 21 })
  })
})
