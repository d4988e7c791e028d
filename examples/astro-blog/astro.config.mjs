// The Astro blog: server-rendered on demand by @astrojs/node (standalone: `node dist/server/entry.mjs`),
// with the revalidate Vite plugin compiling the pragma of src/pages/posts/[slug].astro.
import { fileURLToPath } from 'node:url'
import node from '@astrojs/node'
import revalidate from '@revalidate/plugin/vite'
import { defineConfig, envField } from 'astro/config'

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  vite: { plugins: [revalidate()] },
  env: {
    schema: {
      // Where the SQLite file lives; created and seeded on first start.
      BLOG_DB: envField.string({ context: 'server', access: 'secret', default: fileURLToPath(new URL('./data/blog.db', import.meta.url)) }),
      // Every query waits this long first, as a remote database would, so caching shows.
      BLOG_QUERY_LATENCY_MS: envField.number({ context: 'server', access: 'secret', default: 150, min: 0 }),
      // Tests only: POST /test-api/clock?advance=<seconds> moves the cache's clock.
      BLOG_TEST_CLOCK: envField.boolean({ context: 'server', access: 'secret', default: false }),
    },
  },
})
