/**
 * The cache inspector in `vite dev`, at /__revalidate: the runtime's `devInspector()` (its page,
 * its listing and its event stream) mounted on the dev server, fed with the pages this plugin
 * compiled so their entries link to their source through Vite's /__open-in-editor.
 *
 * The caches live where the app's server code runs. With Vite's module runner in the dev
 * server's process (SSR in middleware mode, `ssrLoadModule`, the default server environment) that
 * is this process: the runtime lists every cache it makes in a registry on `globalThis`, which the
 * inspector's copy of the runtime (loaded here from the app's own dependencies) reads. When the
 * server code runs elsewhere (workerd through @cloudflare/vite-plugin, another process), this
 * process has no caches: the page says so, and that runtime mounts `inspector({ token })` itself.
 * The plugin does not depend on the runtime: an app without it gets a page that says to install it.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Connect } from 'vite'
import type { CachedPage } from './transform.js'

export const INSPECTOR_PATH = '/__revalidate'

type NodeListener = (req: Connect.IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>

interface RuntimeInspector {
  devInspector(options: { path?: string; pages?: () => unknown[] }): (request: Request) => Promise<Response>
  toNodeListener(handler: (request: Request) => Promise<Response>): NodeListener
}

/** Whether a request is the inspector's. */
export function isInspectorRequest(url: string | undefined): boolean {
  return url !== undefined && (url === INSPECTOR_PATH || url.startsWith(`${INSPECTOR_PATH}/`) || url.startsWith(`${INSPECTOR_PATH}?`))
}

/** The dev server's middleware for the inspector; `pages()` lists what the plugin compiled. */
export function inspectorMiddleware(root: () => string, pages: () => Iterable<CachedPage>): Connect.NextHandleFunction {
  let listener: Promise<NodeListener> | undefined
  return (req, res, next) => {
    if (!isInspectorRequest(req.url)) return next()
    listener ??= loadInspector(root(), pages).catch((error: unknown) => {
      listener = undefined // installed later (or fixed): tried again on the next request
      return missingRuntime(error)
    })
    void listener.then((handle) => handle(req, res)).catch(next)
  }
}

async function loadInspector(root: string, pages: () => Iterable<CachedPage>): Promise<NodeListener> {
  const resolved = createRequire(join(root, 'package.json')).resolve('@revalidate/runtime/inspector')
  const runtime = (await import(pathToFileURL(resolved).href)) as RuntimeInspector
  const handler = runtime.devInspector({
    path: INSPECTOR_PATH,
    pages: () =>
      [...pages()]
        .filter((page) => page.version !== undefined)
        .map((page) => ({ route: page.route, file: page.file, pragma: page.pragma.text, line: page.pragma.line, ttl: page.ttl, version: page.version })),
  })
  return runtime.toNodeListener(handler)
}

/** What /__revalidate answers when the app does not have the runtime (nothing to inspect). */
function missingRuntime(error: unknown): NodeListener {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
  return async (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    res.end(`The revalidate inspector needs @revalidate/runtime in this app (npm install @revalidate/runtime): ${reason}\n`)
  }
}
