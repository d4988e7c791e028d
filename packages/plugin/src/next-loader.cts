// The webpack/Turbopack loader behind `withRevalidate(nextConfig)`: it runs the pragma transform
// on a page before Next.js compiles it, so SWC stays Next's compiler. A CommonJS file, since
// loaders are loaded with require; the transform itself is ESM, imported once.
import type { NextLoaderOptions } from './next.js'

interface LoaderContext {
  resourcePath: string
  rootContext: string
  async(): (error: Error | null, code?: string, map?: unknown) => void
  getOptions(): NextLoaderOptions
}

let modules: Promise<[typeof import('./transform.js'), typeof import('./manifest.js')]> | undefined

function revalidateLoader(this: LoaderContext, source: string, map: unknown): void {
  const done = this.async()
  if (!/Pragma:/i.test(source)) return done(null, source, map)
  const { compiledPagesDir, ...options } = this.getOptions()
  modules ??= Promise.all([import('./transform.js'), import('./manifest.js')])
  modules
    .then(([{ transform }, { manifestRoute, recordCompiledPage }]) => {
      const result = transform(source, this.resourcePath, { target: 'vercel', root: this.rootContext, ...options })
      // The build's manifest and list of cached routes are made of these records (manifest.ts).
      if (result !== null && compiledPagesDir) recordCompiledPage(compiledPagesDir, manifestRoute(result.page, this.resourcePath, this.rootContext))
      done(null, result ? result.code : source, result ? result.map : map)
    })
    .catch((error: Error) => done(forNext(error)))
}

/**
 * A page's compile error as Next shows it: Turbopack and webpack print only the message (with the
 * frame in it, then), and webpack caches errors with a serializer that knows only plain Errors.
 * Our stack would point into the plugin, not the page: the page's location is in the message.
 */
function forNext(error: Error & { frame?: string }): Error {
  if (typeof error.frame !== 'string') return error
  const plain = new Error(`${error.message}\n\n${error.frame}`)
  plain.stack = `${plain.name}: ${plain.message}`
  return plain
}

export = revalidateLoader
