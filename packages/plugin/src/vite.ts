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
import type { Environment, Plugin } from 'vite'
import type { Target, TransformOptions } from './options.js'
import { PRAGMA_HINT } from './pragma.js'
import { transform, type CachedPage } from './transform.js'

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
}

export const DEFAULT_INCLUDE = /\.(m?[jt]sx?|astro)$/
export const DEFAULT_EXCLUDE = /node_modules/

export function targetFor(environment: Pick<Environment, 'config'> | undefined): Target {
  if (environment?.config.consumer === 'client') return 'browser'
  if (environment?.config.resolve.conditions.includes('workerd')) return 'cloudflare'
  if (process.env.VERCEL) return 'vercel'
  return 'node'
}

export default function revalidate(options: RevalidateVitePluginOptions = {}): Plugin {
  const { include = DEFAULT_INCLUDE, exclude = DEFAULT_EXCLUDE, target = 'auto', ...transformOptions } = options
  let root = process.cwd()
  let isBuild = false
  const cachedPages = new Map<string, Map<string, CachedPage>>()

  return {
    name: 'revalidate',
    enforce: 'pre',
    configResolved(config) {
      root = config.root
      isBuild = config.command === 'build'
    },
    transform: {
      filter: { id: { include, exclude }, code: PRAGMA_HINT },
      handler(code, id) {
        if (id.startsWith('\0') || !PRAGMA_HINT.test(code)) return null
        const pageTarget = target === 'auto' ? targetFor(this.environment) : target
        const result = transform(code, id.replace(/[?#].*$/, ''), { ...transformOptions, target: pageTarget, root })
        if (result === null) return null
        const environmentName = this.environment?.name ?? 'default'
        if (!cachedPages.has(environmentName)) cachedPages.set(environmentName, new Map())
        cachedPages.get(environmentName)!.set(id, result.page)
        return { code: result.code, map: result.map }
      },
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
