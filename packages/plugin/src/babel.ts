/**
 * The Babel plugin: the same transform as the Vite plugin, for Babel pipelines (Next.js with a
 * Babel config, Metro, Jest).
 *
 *   // babel.config.json
 *   { "plugins": [["@revalidate/plugin/babel", { "target": "node" }]] }
 *
 * A `# Pragma` line is not JavaScript, so the work happens where Babel parses: `parserOverride`
 * compiles the page and hands Babel the result to parse, with an inline source map that Babel
 * merges into its own, so positions still point into the page as written. A bad page is reported
 * from the Program visitor with Babel's own code frame. The page's imports of the app's own
 * modules are found on the file system (fs-resolver.ts), unless the options bring a `resolveImport`.
 */
import type { PluginObj, PluginPass } from '@babel/core'
import { declare } from '@babel/helper-plugin-utils'
import type { File, Node } from '@babel/types'
import { RevalidateError } from './errors.js'
import { fileSystemResolver } from './fs-resolver.js'
import { resolveOptions, type TransformOptions } from './options.js'
import { withHashPragmaAsComment } from './pragma.js'
import { transform } from './transform.js'

type Parse = (code: string, options: object) => File

/** Errors found while parsing, reported once Babel has a File to frame them with. */
const pendingErrors = new WeakMap<object, RevalidateError>()

function inlineSourceMap(map: object): string {
  return `\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`
}

/** Babel's plugin object with the parser hook its type declarations leave out. */
type PluginWithParser = PluginObj<PluginPass> & {
  parserOverride(code: string, parserOptions: { sourceFileName?: string }, parse: Parse): File
}

export default declare((api, options: TransformOptions): PluginWithParser => {
  api.assertVersion(7)
  resolveOptions(options) // an unknown or mistyped option fails here, once, with "did you mean"
  const transformOptions: TransformOptions = { ...options, resolveImport: options.resolveImport ?? fileSystemResolver() }
  return {
    name: 'revalidate',
    parserOverride(code: string, parserOptions: { sourceFileName?: string }, parse: Parse) {
      const id = parserOptions.sourceFileName ?? 'unknown'
      try {
        const result = transform(code, id, transformOptions)
        return parse(result ? result.code + inlineSourceMap(result.map) : code, parserOptions)
      } catch (error) {
        if (!(error instanceof RevalidateError)) throw error
        let ast: File
        try {
          ast = parse(withHashPragmaAsComment(code), parserOptions) // the error is framed on Babel's own parse
        } catch {
          throw error // the page itself does not parse: our error says where
        }
        pendingErrors.set(ast, error)
        return ast
      }
    },
    visitor: {
      Program(path) {
        const error = pendingErrors.get(this.file.ast)
        if (error === undefined) return
        const start = { line: error.loc.line, column: error.loc.column }
        const located = { loc: { start, end: start } } as unknown as Node
        const framed = Object.assign(path.hub.buildError(located, `${error.id}:${start.line}:${start.column + 1}: ${error.description}`, Error), {
          code: error.code,
          id: error.id,
          loc: error.loc,
          frame: error.frame,
        })
        // The page is at fault: the message (with Babel's frame) and nothing of Babel's or our stack.
        framed.stack = `${framed.name}: ${framed.message}`
        throw framed
      },
    },
  }
})
