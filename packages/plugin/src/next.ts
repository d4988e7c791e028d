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
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
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

export function withRevalidate<T extends NextConfig>(nextConfig: T, options: Omit<TransformOptions, 'target'> = {}): T {
  const compiledPagesDir = join(process.cwd(), nextConfig.distDir ?? '.next', COMPILED_PAGES_DIR)
  // Every module the loader sees belongs to this Next.js app, whatever it imports.
  const loaderOptions: NextLoaderOptions = { framework: 'next', ...options, target: 'vercel', nextCacheComponents: nextConfig.cacheComponents === true, compiledPagesDir }
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

/** The build's list of cached routes, as the Vite plugin prints it. */
function printCompiledPages(routes: ManifestRoute[]): void {
  if (routes.length === 0) return
  const entries = routes.map((page) => ({ route: page.route, ttl: page.ttl, how: `Next.js ISR (${page.vercel})` }))
  console.log(`${cachedPagesSummary('cached route(s)', entries)}\n`)
}
