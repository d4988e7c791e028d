// The webpack/Turbopack loader behind `withRevalidate(nextConfig)`: it runs the pragma transform
// on a page before Next.js compiles it, so SWC stays Next's compiler. A CommonJS file, since
// loaders are loaded with require; the transform itself is ESM, imported once.
import type { TransformOptions } from './options.js'

interface LoaderContext {
  resourcePath: string
  rootContext: string
  async(): (error: Error | null, code?: string, map?: unknown) => void
  getOptions(): TransformOptions
}

let transformModule: Promise<typeof import('./transform.js')> | undefined

function revalidateLoader(this: LoaderContext, source: string, map: unknown): void {
  const done = this.async()
  if (!/Pragma:/i.test(source)) return done(null, source, map)
  transformModule ??= import('./transform.js')
  transformModule
    .then(({ transform }) => {
      const result = transform(source, this.resourcePath, { target: 'vercel', root: this.rootContext, ...this.getOptions() })
      done(null, result ? result.code : source, result ? result.map : map)
    })
    .catch((error: Error) => done(error))
}

export = revalidateLoader
