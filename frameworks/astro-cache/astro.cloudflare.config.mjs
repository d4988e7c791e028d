import cloudflare from '@astrojs/cloudflare'
import revalidate from '@revalidate/plugin/vite'
import { revalidateCache } from '@revalidate/runtime/astro'
import { defineConfig } from 'astro/config'

// The same pages under @astrojs/cloudflare (`astro build --config astro.cloudflare.config.mjs`),
// with the provider as an app writes it: under workerd it keeps responses in the Workers Cache
// API, with the RevalidateCoordinator Durable Object bound as REVALIDATE (wrangler.jsonc).
export default defineConfig({
  output: 'server',
  outDir: './dist-cloudflare',
  adapter: cloudflare({ configPath: './wrangler.jsonc' }),
  cache: { provider: revalidateCache() },
  routeRules: {
    '/rules/[slug]': { maxAge: 60, tags: ['posts', 'rules'] },
    '/both/[slug]': { maxAge: 60, tags: ['both'] },
  },
  vite: { plugins: [revalidate()] },
})
