/**
 * Next.js: compile pages with the pragma before Next does, keeping SWC as Next's compiler.
 *
 *   // next.config.ts
 *   import type { NextConfig } from 'next'
 *   import { withRevalidate } from '@revalidate/plugin/next'
 *   const nextConfig: NextConfig = { reactStrictMode: true }
 *   export default withRevalidate(nextConfig)
 *
 * `// Pragma: revalidate 60` (the `#` form cannot work here: Next parses page files itself, before
 * any loader) becomes what Next's ISR reads: `export const revalidate = 60` in an app router page,
 * layout or route handler, `revalidate` in the result of a pages router `getStaticProps`. Works
 * with Turbopack (the default) and `next build --webpack`. After compiling, the build prints the
 * cached routes and writes them down in `.next/.revalidate/manifest.json` (manifest.ts).
 *
 * With `cache`, Next's own caches run on our coordinator and stores (@revalidate/runtime/next):
 *
 *   withRevalidate(nextConfig, { cache: { redis: process.env.REDIS_URL } })
 *   -> cacheHandlers: { default, remote }  the runtime's 'use cache' handler
 *      cacheHandler                         the runtime's incremental cache handler (ISR, fetch)
 *      cacheMaxMemorySize: 0                Next's own memory layer off: one cache, ours
 *      REVALIDATE_NEXT_CACHE                the settings, for the handlers (next.config runs in the
 *                                           process that serves, and the build's workers inherit it)
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NextCacheSettings } from '@revalidate/runtime/next'
import type { NextConfig } from 'next'
import { cachedPagesSummary } from './build-summary.js'
import { recordedPages, writeManifest, type ManifestRoute } from './manifest.js'
import type { TransformOptions } from './options.js'

/**
 * Where the loader writes down each page it hands to Next's ISR, below the build's distDir. In
 * `cache/`, which `next build` keeps, beside its compiler's cache: a page that compiler takes
 * from its cache is not handed to the loader again, and its note must still be there.
 */
export const COMPILED_PAGES_DIR = join('cache', 'revalidate-pages')

/** What the loader takes: the transform's options, and where to write down what it compiled. */
export interface NextLoaderOptions extends TransformOptions {
  /** The folder (absolute) where the loader writes down each compiled page. */
  compiledPagesDir: string
}

interface WebpackConfigLike {
  module?: { rules?: unknown[] }
}

const LOADER = fileURLToPath(new URL('./next-loader.cjs', import.meta.url))
const PAGE_FILES = ['*.js', '*.jsx', '*.ts', '*.tsx']

export interface NextRevalidateOptions extends Omit<TransformOptions, 'target'> {
  /**
   * Next.js's own caches on revalidate's coordinator and stores: `'use cache'` (`cacheHandlers`)
   * and ISR pages, route handlers, `fetch` and images (`cacheHandler`), with Next's memory layer off
   * (`cacheMaxMemorySize: 0`). `true`: this process's memory, bounded by bytes; `{ redis: url }`:
   * shared by every instance (an unset URL means memory, so one config serves both). Settings
   * travel to the handlers as JSON, so `redis` is a URL; for a client of your own, see the docs'
   * handler files.
   * @default off (Next's own handlers)
   * @example withRevalidate(nextConfig, { cache: { redis: process.env.REDIS_URL } })
   */
  cache?: boolean | NextCacheSettings
}

/** The handler modules of @revalidate/runtime, and the variable that carries their settings (the runtime's NEXT_CACHE_SETTINGS_ENV). */
const USE_CACHE_HANDLER = '@revalidate/runtime/next/use-cache'
const INCREMENTAL_CACHE_HANDLER = '@revalidate/runtime/next/cache-handler'
const SETTINGS_ENV = 'REVALIDATE_NEXT_CACHE'

export function withRevalidate<T extends NextConfig>(nextConfig: T, options: NextRevalidateOptions = {}): T {
  const { cache, ...transformOptions } = options
  const compiledPagesDir = join(process.cwd(), nextConfig.distDir ?? '.next', COMPILED_PAGES_DIR)
  // Every module the loader sees belongs to this Next.js app, whatever it imports.
  const loaderOptions: NextLoaderOptions = { framework: 'next', ...transformOptions, target: 'vercel', nextCacheComponents: nextConfig.cacheComponents === true, compiledPagesDir }
  const loader = { loader: LOADER, options: loaderOptions }
  const rules: Record<string, unknown> = { ...nextConfig.turbopack?.rules }
  for (const glob of PAGE_FILES) {
    const existing = rules[glob] as { loaders?: unknown[] } | undefined
    rules[glob] = existing ? { ...existing, loaders: [...(existing.loaders ?? []), loader] } : { loaders: [loader] }
  }
  const userWebpack = nextConfig.webpack
  const userAfterCompile = nextConfig.compiler?.runAfterProductionCompile
  return {
    ...nextConfig,
    ...(cache === undefined || cache === false ? {} : cacheHandlersConfig(nextConfig, cache === true ? {} : cache)),
    turbopack: { ...nextConfig.turbopack, rules: rules as NonNullable<NextConfig['turbopack']>['rules'] },
    webpack(config: WebpackConfigLike, context: Parameters<NonNullable<NextConfig['webpack']>>[1]) {
      const configured = (userWebpack ? userWebpack(config, context) : config) as WebpackConfigLike
      configured.module ??= {}
      configured.module.rules ??= []
      configured.module.rules.push({ test: /\.(mjs|[jt]sx?)$/, exclude: /node_modules/, enforce: 'pre', use: [loader] })
      return configured
    },
    compiler: {
      ...nextConfig.compiler,
      async runAfterProductionCompile(metadata) {
        const routes = recordedPages(compiledPagesDir, metadata.projectDir)
        writeManifest(metadata.distDir, 'next', routes)
        printCompiledPages(routes)
        await userAfterCompile?.(metadata)
      },
    },
  }
}

/** Next's keys for our cache handlers; the settings go to the environment, where the handler modules read them. */
function cacheHandlersConfig(nextConfig: NextConfig, settings: NextCacheSettings): Pick<NextConfig, 'cacheHandlers' | 'cacheHandler' | 'cacheMaxMemorySize'> {
  for (const key of ['cacheHandler', 'cacheHandlers'] as const) {
    if (nextConfig[key] !== undefined) {
      throw new TypeError(`withRevalidate: next.config sets ${key} and withRevalidate's cache option sets it too. Remove one: the cache option sets cacheHandlers, cacheHandler and cacheMaxMemorySize.`)
    }
  }
  process.env[SETTINGS_ENV] = JSON.stringify(checkCacheSettings(settings))
  // From the app, where @revalidate/runtime is installed (its pages import it): Next loads these by path.
  const resolve = createRequire(join(process.cwd(), 'package.json')).resolve
  const useCache = resolve(USE_CACHE_HANDLER)
  return { cacheHandlers: { default: useCache, remote: useCache }, cacheHandler: resolve(INCREMENTAL_CACHE_HANDLER), cacheMaxMemorySize: 0 }
}

function checkCacheSettings(settings: NextCacheSettings): NextCacheSettings {
  if (typeof settings !== 'object' || settings === null) throw new TypeError(`withRevalidate: cache must be true or an object such as { redis: process.env.REDIS_URL }, got ${String(settings)}`)
  const { redis, prefix, maxEntries, maxMemoryBytes, lockSeconds, ...unknown } = settings
  const extra = Object.keys(unknown)
  if (extra.length > 0) throw new TypeError(`withRevalidate: cache has no option ${extra.map((name) => JSON.stringify(name)).join(', ')} (it takes redis, prefix, maxEntries, maxMemoryBytes and lockSeconds)`)
  if (redis !== undefined && redis !== '' && (typeof redis !== 'string' || !/^rediss?:\/\//.test(redis))) {
    throw new TypeError('withRevalidate: cache.redis must be a redis:// or rediss:// URL (or undefined for memory). For a Redis client of your own, write the handler files yourself: see docs/frameworks/next.md')
  }
  if (prefix !== undefined && typeof prefix !== 'string') throw new TypeError(`withRevalidate: cache.prefix must be a string, got ${typeof prefix}`)
  for (const [name, value] of Object.entries({ maxEntries, maxMemoryBytes, lockSeconds })) {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw new TypeError(`withRevalidate: cache.${name} must be a number greater than 0, got ${String(value)}`)
  }
  // An empty REDIS_URL is an unset one: memory.
  return redis === '' ? { prefix, maxEntries, maxMemoryBytes, lockSeconds } : settings
}

/** The build's list of cached routes, as the Vite plugin prints it. */
function printCompiledPages(routes: ManifestRoute[]): void {
  if (routes.length === 0) return
  const entries = routes.map((page) => ({ route: page.route, ttl: page.ttl, how: `Next.js ISR (${page.vercel})` }))
  console.log(`${cachedPagesSummary('cached route(s)', entries)}\n`)
}
