// Builds a Worker with Vite the way a Workers project resolves it: the `workerd` condition picks
// the Cloudflare runtime, everything is bundled into one module, `cloudflare:*` stays external.
import { build, type PluginOption } from 'vite'

export const WORKERD_CONDITIONS = ['workerd', 'worker', 'module', 'import', 'default']

export async function buildWorker(options: { root: string; entry: string; outDir: string; plugins?: PluginOption[] }): Promise<string> {
  await build({
    root: options.root,
    configFile: false,
    logLevel: 'silent',
    plugins: options.plugins ?? [],
    ssr: { target: 'webworker', noExternal: true, resolve: { conditions: WORKERD_CONDITIONS, externalConditions: WORKERD_CONDITIONS } },
    build: {
      ssr: options.entry,
      outDir: options.outDir,
      emptyOutDir: true,
      minify: false,
      rollupOptions: { external: [/^cloudflare:/], output: { format: 'es', entryFileNames: 'worker.js' } },
    },
  })
  return `${options.outDir}/worker.js`
}
