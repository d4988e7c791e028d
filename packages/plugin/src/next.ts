/**
 * Next.js: compile pages with the pragma before Next does, keeping SWC as Next's compiler.
 *
 *   // next.config.mjs
 *   import { withRevalidate } from '@revalidate/plugin/next'
 *   export default withRevalidate({ reactStrictMode: true })
 *
 * `# Pragma: revalidate 60` (write it as `// Pragma:` in Next.js: Next parses page files itself,
 * before any loader, and `#` is not JavaScript) becomes `export const revalidate = 60`, the route
 * segment config Next's ISR reads. Works with Turbopack (the default) and `next build --webpack`.
 */
import { fileURLToPath } from 'node:url'
import type { TransformOptions } from './options.js'

/** The part of a Next.js config this helper reads and extends. */
export interface NextConfigLike {
  cacheComponents?: boolean
  turbopack?: { rules?: Record<string, unknown> } & Record<string, unknown>
  webpack?: ((config: WebpackConfigLike, context: unknown) => WebpackConfigLike) | null
  [key: string]: unknown
}

interface WebpackConfigLike {
  module?: { rules?: unknown[] }
  [key: string]: unknown
}

const LOADER = fileURLToPath(new URL('./next-loader.cjs', import.meta.url))
const PAGE_FILES = ['*.js', '*.jsx', '*.ts', '*.tsx']

export function withRevalidate<T extends NextConfigLike>(nextConfig: T, options: Omit<TransformOptions, 'target'> = {}): T {
  const loader = { loader: LOADER, options: { ...options, target: 'vercel', nextCacheComponents: nextConfig.cacheComponents === true } }
  const rules: Record<string, unknown> = { ...nextConfig.turbopack?.rules }
  for (const glob of PAGE_FILES) {
    const existing = rules[glob] as { loaders?: unknown[] } | undefined
    rules[glob] = existing ? { ...existing, loaders: [...(existing.loaders ?? []), loader] } : { loaders: [loader] }
  }
  const userWebpack = nextConfig.webpack
  return {
    ...nextConfig,
    turbopack: { ...nextConfig.turbopack, rules },
    webpack(config: WebpackConfigLike, context: unknown) {
      const configured = userWebpack ? userWebpack(config, context) : config
      configured.module ??= {}
      configured.module.rules ??= []
      configured.module.rules.push({ test: /\.(mjs|[jt]sx?)$/, exclude: /node_modules/, enforce: 'pre', use: [loader] })
      return configured
    },
  }
}
