/**
 * TanStack Router's route generator (the `tanstack:router-generator` Vite plugin) parses every
 * route file itself when the config is resolved, before any plugin compiles it. A `# Pragma:`
 * line is not JavaScript, so the generator prints `SyntaxError: Unexpected token (1:0)`, writes
 * no route tree, and the build fails later with `Could not resolve './routeTree.gen'`, far from
 * the pragma. Where the generator runs, the route folders are read first and such a line is an
 * error naming its file and the `//` form.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Plugin } from 'vite'
import { SourceText } from './errors.js'
import { PRAGMA_HINT, readHeader } from './pragma.js'

const GENERATOR = 'tanstack:router-generator'
const ROUTE_FILE = /\.[mc]?[jt]sx?$/

export function runsRouteGenerator(plugins: readonly Pick<Plugin, 'name'>[]): boolean {
  return plugins.some((plugin) => plugin.name === GENERATOR)
}

/** Throws the error for the first route file below `dirs` whose header has a `# Pragma:` line. */
export function checkRouteFilesForHashPragma(dirs: readonly string[]): void {
  for (const dir of dirs) {
    let files: string[]
    try {
      files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    } catch {
      continue // no such folder
    }
    for (const file of files) {
      if (!ROUTE_FILE.test(file)) continue
      const path = join(dir, file).replaceAll('\\', '/')
      const code = readFileSync(path, 'utf8')
      if (!PRAGMA_HINT.test(code)) continue
      const source = new SourceText(code, path)
      let header
      try {
        header = readHeader(source)
      } catch {
        continue // a wrong pragma: the compiler reports it with the file, once the build gets there
      }
      if (header.pragma === null || header.code === code) continue
      const { pragma } = header
      throw source.error(
        'RV110',
        pragma.start,
        pragma.end,
        "TanStack Router's route generator parses route files before any plugin, and a `# Pragma:` line is not JavaScript: it would fail with `SyntaxError: Unexpected token`, and the build with `Could not resolve './routeTree.gen'`.",
        `write it as a comment: \`${code.slice(pragma.start, pragma.end).replace(/^#/, '//')}\`.`,
      )
    }
  }
}
