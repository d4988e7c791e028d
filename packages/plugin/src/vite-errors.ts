/**
 * A page's compile error as the tool that prints it for Vite needs it, so that the user reads it
 * once, at the file's own line and column, and then the fix and the code frame:
 *
 *   [plugin revalidate] /app/app/routes/post.tsx:6:13
 *   RevalidateError: [RV201] `request.headers` reads the request headers (...), but ...
 *   Fix: ...
 *   > 6 |   const c = request.headers.get("cookie")
 *
 * Rolldown (`vite build`), Vite's dev server and Astro print the location themselves, from `id`
 * and `loc`: the message leaves it out (the transform's message carries it for hosts that print
 * the message alone). The module id a bundler asks for may carry a query
 * (`post.tsx?__react-router-build-client-route`); the error names the file, whatever the host
 * assigns to its `id`. The column is counted from 1,
 * as editors, terminals' links and the message count it. Astro prints the message, not the frame:
 * for Astro the frame goes into the message. The diagnostic's code is `code` (Rollup moves a
 * plugin's `code` to `pluginCode`, so that is set too).
 */
import type { RevalidateError } from './errors.js'

export type ErrorPrinter = 'vite' | 'astro'

export function errorForVite(error: RevalidateError, printer: ErrorPrinter): Error {
  const file = error.loc.file
  const message = printer === 'astro' ? `${error.description}\n\n${error.frame}` : error.description
  const printed = Object.assign(new Error(message), {
    name: error.name,
    loc: { file, line: error.loc.line, column: error.loc.column + 1 },
    frame: error.frame,
    plugin: error.plugin,
    pluginCode: error.code,
    code: error.code,
    pos: error.pos,
  })
  // Rolldown sets `id` to the module id it was transforming, and Astro sets it again: the file stays.
  Object.defineProperty(printed, 'id', { get: () => file, set: () => undefined, enumerable: true })
  // No frames of the compiler: the page is at fault. Astro prints any stack as a section of its own.
  printed.stack = printer === 'astro' ? '' : `${printed.name}: ${message}`
  return printed
}

/**
 * An error found while Vite resolves its config (before any module is built): Vite prints it
 * whole, with no location or frame of its own, so the message carries both, and nothing else
 * is attached to be dumped beside it.
 */
export function errorAtConfig(error: RevalidateError): Error {
  const printed = Object.assign(new Error(`${error.message}\n\n${error.frame}`), { code: error.code })
  printed.name = error.name
  printed.stack = `${printed.name}: ${printed.message}`
  return printed
}
