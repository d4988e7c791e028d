/**
 * The Vite plugin: a thin shell around `transform`.
 *
 *   // vite.config.ts
 *   import revalidate from '@revalidate/plugin/vite'
 *   export default { plugins: [revalidate()] }
 *
 * It runs before other plugins (`enforce: 'pre'`: later ones strip comments), only on files whose
 * code mentions `Pragma:` (a hook filter, so other files cost no parse), picks the target from
 * the environment it compiles for, and prints the cached pages at the end of a build.
 */
import { readFileSync } from 'node:fs'
import type { Environment, Plugin } from 'vite'
import { resolveOptions, type Target, type TransformOptions } from './options.js'
import { PRAGMA_HINT } from './pragma.js'
import { transform, type CachedPage } from './transform.js'
import { scanRoutes, writeVercelOutput, type VercelOutputOptions } from './vercel-output.js'

type Filter = string | RegExp | Array<string | RegExp>

export interface RevalidateVitePluginOptions extends Omit<TransformOptions, 'target' | 'root'> {
  /**
   * `auto` picks per environment: client -> browser; resolve conditions with `workerd` (as
   * `@cloudflare/vite-plugin` sets them) -> cloudflare; `VERCEL` set -> vercel; else node.
   * @default 'auto'
   */
  target?: Target | 'auto'
  /**
   * Files the plugin looks at.
   * @default /\.(m?[jt]sx?|astro)$/
   */
  include?: Filter
  /**
   * Files the plugin never looks at.
   * @default /node_modules/
   */
  exclude?: Filter
  /**
   * With target vercel, the server build is written as Vercel Build Output (`.vercel/output`):
   * one function for every route, a prerender config (ISR) for each cached one.
   */
  vercel?: VercelOutputOptions
}

export const DEFAULT_INCLUDE = /\.(m?[jt]sx?|astro)$/
export const DEFAULT_EXCLUDE = /node_modules/
/** An .astro page itself, not one of the `?astro&type=style` parts Astro asks for. */
const ASTRO_PAGE = /\.astro$/

export function targetFor(environment: Pick<Environment, 'config'> | undefined): Target {
  if (environment?.config.consumer === 'client') return 'browser'
  if (environment?.config.resolve.conditions.includes('workerd')) return 'cloudflare'
  if (process.env.VERCEL) return 'vercel'
  return 'node'
}

export default function revalidate(options: RevalidateVitePluginOptions = {}): Plugin {
  const { include = DEFAULT_INCLUDE, exclude = DEFAULT_EXCLUDE, target = 'auto', vercel = {}, ...transformOptions } = options
  const buildsForVercel = target === 'vercel' || (target === 'auto' && Boolean(process.env.VERCEL))
  let root = process.cwd()
  let isBuild = false
  const cachedPages = new Map<string, Map<string, CachedPage>>()
  /** .astro pages compiled when loaded: what reaches the transform hook for them is Astro's output. */
  const compiledOnLoad = new Set<string>()

  function compile(environment: Environment | undefined, code: string, id: string) {
    const pageTarget = target === 'auto' ? targetFor(environment) : target
    const result = transform(code, id.replace(/[?#].*$/, ''), { ...transformOptions, target: pageTarget, root })
    if (result === null) return null
    const environmentName = environment?.name ?? 'default'
    if (!cachedPages.has(environmentName)) cachedPages.set(environmentName, new Map())
    cachedPages.get(environmentName)!.set(id, result.page)
    return { code: result.code, map: result.map }
  }

  return {
    name: 'revalidate',
    enforce: 'pre',
    config(config) {
      // A Vercel function has only what is in its folder: bundle the server's dependencies.
      if (buildsForVercel && config.ssr?.noExternal === undefined) return { ssr: { noExternal: true } }
      return undefined
    },
    configResolved(config) {
      root = config.root
      isBuild = config.command === 'build'
    },
    // Astro compiles an .astro file before any transform hook sees it, so its source is
    // compiled here, where it is read; Astro then compiles what this returns.
    load: {
      filter: { id: ASTRO_PAGE },
      handler(id) {
        if (!ASTRO_PAGE.test(id) || id.startsWith('\0')) return null
        const code = readFileSync(id, 'utf8')
        if (!PRAGMA_HINT.test(code)) return null
        compiledOnLoad.add(id)
        return compile(this.environment, code, id)
      },
    },
    transform: {
      filter: { id: { include, exclude }, code: PRAGMA_HINT },
      handler(code, id) {
        // An .astro page compiled on load arrives here as Astro's output; one not loaded by us
        // (no Astro plugin in this build) is still its source, and is compiled here.
        if (id.startsWith('\0') || compiledOnLoad.has(id) || !PRAGMA_HINT.test(code)) return null
        return compile(this.environment, code, id)
      },
    },
    writeBundle(output, bundle) {
      if (!buildsForVercel || this.environment?.config.consumer !== 'server' || output.dir === undefined) return
      const entry = Object.values(bundle).find((item) => item.type === 'chunk' && item.isEntry)
      if (entry === undefined) return
      const pages = [...(cachedPages.get(this.environment.name)?.values() ?? [])]
      const written = writeVercelOutput({
        root,
        serverDir: output.dir,
        serverEntry: entry.fileName,
        routes: scanRoutes(resolveOptions({ ...transformOptions, root })),
        cached: pages.filter((page) => page.target === 'vercel'),
        options: vercel,
      })
      this.environment.logger.info(`[revalidate] Vercel Build Output written to ${written.outputDir}`)
    },
    buildEnd() {
      const pages = cachedPages.get(this.environment?.name ?? 'default')
      if (!isBuild || pages === undefined || pages.size === 0) return
      const lines = [...pages.values()]
        .sort((a, b) => a.route.localeCompare(b.route))
        .map((page) => `  ${page.route.padEnd(32)} ${`${page.ttl}s`.padEnd(8)} ${page.target}`)
      this.environment.logger.info(`\n[revalidate] ${pages.size} cached page(s) in ${this.environment.name}:\n${lines.join('\n')}`)
    },
  }
}
