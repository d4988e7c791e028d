import node from '@astrojs/node'
import revalidate from '@revalidate/plugin/vite'
import { defineConfig } from 'astro/config'

// An app would write `cache: { provider: revalidateCache() }` (from '@revalidate/runtime/astro').
// This one names a module of its own that picks the provider when the server starts
// (CACHE_PROVIDER), so one build serves the same pages with ours and with Astro's memoryCache().
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  cache: { provider: { name: 'chosen at start', entrypoint: './src/cache-provider.ts' } },
  routeRules: {
    '/rules/[slug]': { maxAge: 60, tags: ['posts', 'rules'] },
    '/both/[slug]': { maxAge: 60, tags: ['both'] },
  },
  vite: { plugins: [revalidate()] },
})
