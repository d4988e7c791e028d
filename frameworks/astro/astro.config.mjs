import node from '@astrojs/node'
import revalidate from '@revalidate/plugin/vite'
import { defineConfig } from 'astro/config'

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  vite: { plugins: [revalidate()] },
})
