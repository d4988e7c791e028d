// Real `vite build`s of a small app with the plugin: the server bundle caches, the client bundle
// gets the browser runtime, a bad page fails the build with its file, line and column.
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build, createLogger, type InlineConfig, type Rollup } from 'vite'
import { afterAll, describe, expect, it } from 'vitest'
import revalidate from '../src/vite.js'

const APP = join(dirname(fileURLToPath(import.meta.url)), 'vite-app')
const OUT = join(APP, 'dist')

function capturingLogger() {
  const infos: string[] = []
  const logger = createLogger('silent')
  return { infos, logger: { ...logger, info: (message: string) => void infos.push(message) } }
}

function config(overrides: InlineConfig): InlineConfig {
  return { root: APP, configFile: false, logLevel: 'silent', plugins: [revalidate()], ...overrides }
}

afterAll(() => rmSync(OUT, { recursive: true, force: true }))

describe('vite build with the plugin', () => {
  it('SSR: the built server bundle caches the loader and the build lists the cached page', async () => {
    const { infos, logger } = capturingLogger()
    await build(config({ customLogger: logger, logLevel: 'info', build: { ssr: 'src/entry-server.js', outDir: join(OUT, 'server') } }))
    const server = (await import(pathToFileURL(join(OUT, 'server', 'entry-server.js')).href)) as {
      render(slug: string): Promise<string>
      queries: string[]
    }
    expect(await server.render('a')).toBe('<h1>Post a</h1>')
    expect(await server.render('a')).toBe('<h1>Post a</h1>')
    expect(await server.render('b')).toBe('<h1>Post b</h1>')
    expect(server.queries).toEqual(['a', 'b'])
    const summary = infos.find((line) => line.includes('[revalidate]'))
    expect(summary).toMatch(/1 cached page\(s\) in ssr:\n\s+\/posts\/\[slug\]\s+60s\s+node/)
  })

  it('client: the page is wrapped with the browser runtime', async () => {
    const loaded: string[] = [] // every module the build loads, re-export-only ones included
    const recordLoads = { name: 'record-loads', load: (id: string) => void loaded.push(id.replaceAll('\\', '/')) }
    const output = (await build(
      config({ plugins: [revalidate(), recordLoads], build: { write: false, outDir: join(OUT, 'client'), rollupOptions: { input: join(APP, 'src/client.js') } } }),
    )) as Rollup.RollupOutput
    expect(loaded.some((id) => id.endsWith('runtime/dist/targets/browser.js'))).toBe(true)
    expect(loaded.some((id) => id.endsWith('runtime/dist/targets/node.js'))).toBe(false)
    const chunks = output.output.filter((item): item is Rollup.OutputChunk => item.type === 'chunk')
    expect(chunks.map((chunk) => chunk.code).join('\n')).toContain('page:')
  })

  it('compiles a `#` pragma page imported with a query on its id (React Router client routes)', async () => {
    await build(config({ build: { ssr: 'src/query-entry.js', outDir: join(OUT, 'query') } }))
    const server = (await import(pathToFileURL(join(OUT, 'query', 'query-entry.js')).href)) as { render(slug: string): Promise<string>; queries: string[] }
    expect(await server.render('q')).toBe('<h1>Post q</h1>')
    expect(await server.render('q')).toBe('<h1>Post q</h1>')
    expect(server.queries).toEqual(['q'])
  })

  it('honours exclude: an excluded page is left to the rest of the build', async () => {
    const entry = { build: { write: false, ssr: 'src/excluded-entry.js', outDir: join(OUT, 'excluded') } }
    await expect(build(config(entry))).rejects.toThrow(/no-data\.js:1:1\nRevalidateError: \[RV301\] The pragma has no page data to cache/)
    await expect(build(config({ ...entry, plugins: [revalidate({ exclude: [/node_modules/, /no-data\.js$/] })] }))).resolves.toBeDefined()
  })

  it('follows the page into the app’s modules through Vite’s resolver (package.json imports, an alias): a helper reading a cookie fails the build at the page’s call', async () => {
    const alias = { resolve: { alias: { '~': join(APP, 'src') } } }
    const failing = build(config({ ...alias, build: { write: false, ssr: 'src/products-entry.js', outDir: join(OUT, 'products') } }))
    await expect(failing).rejects.toThrow(
      /routes\/products\.js:5:24\nRevalidateError: \[RV201\] `pricesFor\(\[1, 2\]\)` reads the visitor's cookies \(`getCookie\(\)`\), where `pricesFor\(\[1, 2\]\)` in src\/lib\/prices\.js:5 calls `currency\(\)`, and `currency\(\)` in src\/server\/currency\.js:4 calls `getCookie\('currency'\)`/,
    )
    // A helper that reads nothing per visitor: the page builds, and its data is cached.
    await build(config({ ...alias, build: { ssr: 'src/catalog-entry.js', outDir: join(OUT, 'catalog') } }))
    const server = (await import(pathToFileURL(join(OUT, 'catalog', 'catalog-entry.js')).href)) as { loader(args: object): Promise<{ items: { slug: string }[] }>; queries: string[] }
    const args = { params: { shelf: 'new' }, request: new Request('http://localhost/catalog/new') }
    expect((await server.loader(args)).items.map((item) => item.slug)).toEqual(['new-1', 'new-2'])
    await server.loader(args)
    expect(server.queries).toEqual(['new-1', 'new-2'])
  })

  it('a bad page fails the build with its file, line and column', async () => {
    const failing = build(config({ build: { write: false, ssr: 'src/broken.js', outDir: join(OUT, 'broken') } }))
    await expect(failing).rejects.toThrow(/broken\.js:2:1\nRevalidateError: \[RV106\] A pragma must be in the header of the module/)
  })

  it('in an app with Nuxt’s Vite plugins: one line says Nuxt is not supported, and nothing is compiled (no misleading error)', async () => {
    // Without a real Nuxt here: a vite build with the plugins Nuxt adds, by their names.
    const nuxtPlugins = ['nuxt:vite-node-server', 'nuxt:build-outputs', 'nitro:main'].map((name) => ({ name }))
    const warnings: string[] = []
    const logger = { ...createLogger('silent'), warn: (message: string) => void warnings.push(message) }
    const entry = { customLogger: logger, build: { write: false, ssr: 'src/excluded-entry.js', outDir: join(OUT, 'nuxt') } } // a module whose pragma has no data: an error where compiled
    await expect(build(config({ ...entry, plugins: [revalidate(), ...nuxtPlugins] }))).resolves.toBeDefined()
    expect(warnings.filter((line) => line.includes('[revalidate]'))).toEqual([
      '[revalidate] [RV402] Nuxt is not supported yet: the pragma is ignored in this app (its .vue pages and Nitro routes are not compiled). Cache data with `withRevalidate(key, ttl, fetcher)` from @revalidate/runtime where it is loaded, or remove the plugin. See: node_modules/@revalidate/plugin/docs/diagnostics.md#rv402',
    ])
  })

  it('prints a page’s error once, at the file’s own line and column, then the fix and the frame: no query, no compiler stack', async () => {
    // React Router's client build asks for `route.tsx?__react-router-build-client-route`.
    const failing = build(config({ build: { write: false, ssr: 'src/headers-query-entry.js', outDir: join(OUT, 'headers') } }))
    const error = (await failing.then(() => undefined, (caught: unknown) => caught)) as Error
    const printed = `${error.stack}`
    // The diagnostic's code, for tools: Rolldown sets `code` to PLUGIN_ERROR and keeps ours as `pluginCode`.
    expect((error as Error & { errors?: Array<{ pluginCode?: string }> }).errors?.map((each) => each.pluginCode)).toEqual(['RV201'])
    const page = join(APP, 'src/routes/reads-headers.js').replaceAll('\\', '/')
    expect(printed).toContain(`[plugin revalidate] ${page}:5:17\nRevalidateError: [RV201] \`request.headers\` reads the request headers`)
    expect(printed.match(/reads-headers\.js[^\n]*:\d+:\d+/g)).toHaveLength(1)
    expect(printed).not.toContain('__react-router-build-client-route')
    expect(printed).toMatch(/Fix: read it outside the cached data[\s\S]*> 5 \|   const theme = request\.headers\.get\('x-theme'\)\n\s+\|\s+\^{15}/)
    expect(printed).not.toMatch(/at .*(packages\/plugin\/(src|dist)|data-flow|checks)/)
  })
})
