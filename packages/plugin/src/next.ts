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
 * cached routes.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NextConfig } from 'next'
import { cachedPagesList } from './cached-pages.js'
import type { TransformOptions } from './options.js'

/** Where the loader writes down each page it hands to Next's ISR, below the build's distDir. */
export const COMPILED_PAGES_DIR = 'revalidate-pages'

/** What the loader takes: the transform's options, and where to write down what it compiled. */
export interface NextLoaderOptions extends TransformOptions {
  /** The folder (absolute) where the loader writes down each compiled page. */
  compiledPagesDir: string
}

interface WebpackConfigLike {
  module?: { rules?: unknown[] }
}

interface CompiledPageRecord {
  route: string
  ttl: number
  vercel: string
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
        printCompiledPages(compiledPagesDir)
        await userAfterCompile?.(metadata)
      },
    },
  }
}

/** The build's list of cached routes, as the Vite plugin prints it; the loader's notes go with it. */
function printCompiledPages(dir: string): void {
  let files: string[]
  try {
    files = readdirSync(dir)
  } catch {
    return // no page has the pragma
  }
  const pages = files.map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as CompiledPageRecord)
  rmSync(dir, { recursive: true, force: true })
  console.log(`\n[revalidate] ${pages.length} cached route(s):\n${cachedPagesList(pages, (page) => `Next.js ISR (${page.vercel})`)}\n`)
}
