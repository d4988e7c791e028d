import revalidate from '@revalidate/plugin/vite'
import { defineConfig } from 'vite'

export default defineConfig(({ isSsrBuild }) => ({
  plugins: [revalidate()],
  // The client build also bundles the service worker, to /sw.js: served from the root, its scope is the whole site.
  build: isSsrBuild
    ? {}
    : {
        rollupOptions: {
          input: { main: 'index.html', sw: 'src/service-worker.js' },
          output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
        },
      },
}))
