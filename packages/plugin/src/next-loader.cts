// The webpack/Turbopack loader behind `withRevalidate(nextConfig)`: it runs the pragma transform
// on a page before Next.js compiles it, so SWC stays Next's compiler. A CommonJS file, since
// loaders are loaded with require; the transform itself is ESM, imported once. The page's imports
// of the app's own modules are resolved with Next's resolver (webpack's or Turbopack's, tsconfig
// paths included) for the safety check to follow, and each module followed is a dependency of the
// page, so `next dev` checks the page again when it changes.
import path = require('node:path')
import type { NextLoaderOptions } from './next.js'

interface LoaderContext {
  resourcePath: string
  rootContext: string
  async(): (error: Error | null, code?: string, map?: unknown) => void
  getOptions(): NextLoaderOptions
  /** webpack's and Turbopack's resolver, as the app is configured (without a callback: a promise). */
  getResolve(): (context: string, request: string) => Promise<string | false>
  addDependency(file: string): void
}

let modules: Promise<[typeof import('./follow-imports.js'), typeof import('./manifest.js')]> | undefined

function revalidateLoader(this: LoaderContext, source: string, map: unknown): void {
  const done = this.async()
  if (!/Pragma:/i.test(source)) return done(null, source, map)
  const { compiledPagesDir, ...options } = this.getOptions()
  modules ??= Promise.all([import('./follow-imports.js'), import('./manifest.js')])
  const resolve = this.getResolve()
  modules
    .then(async ([{ transformFollowingImports }, { manifestRoute, recordCompiledPage }]) => {
      const result = await transformFollowingImports(source, this.resourcePath, { target: 'vercel', root: this.rootContext, ...options }, {
        resolve: async (specifier, importer) => (await resolve(path.dirname(importer), specifier)) || undefined,
        read: (file) => this.addDependency(file),
      })
      // The build's manifest and list of cached routes are made of these records (manifest.ts).
      if (result?.page !== undefined && compiledPagesDir) recordCompiledPage(compiledPagesDir, manifestRoute(result.page, this.resourcePath, this.rootContext))
      done(null, result ? result.code : source, result ? result.map : map)
    })
    .catch((error: Error) => done(forNext(error)))
}

/**
 * A page's compile error as Next shows it: Turbopack and webpack print only the message (with the
 * frame in it, then), and webpack caches errors with a serializer that knows only plain Errors.
 * Our stack would point into the plugin, not the page: the page's location is in the message.
 */
function forNext(error: Error & { frame?: string; code?: string }): Error {
  if (typeof error.frame !== 'string') return error
  const plain = Object.assign(new Error(`${error.message}\n\n${error.frame}`), { code: error.code })
  plain.stack = `${plain.name}: ${plain.message}`
  return plain
}

export = revalidateLoader
