/**
 * The Babel plugin's `resolveImport`: the app's modules found on the file system, as TypeScript
 * and the bundlers find them, for a host with no resolver of its own to lend.
 *
 *   ./server, ../lib/auth.js    relative: `.ts`, `.tsx`, ... tried, `.js` written for `.ts`, `index.*`
 *   @/utils/supabase/server     the nearest tsconfig.json's (or jsconfig.json's) `paths`, `extends` followed
 *   $lib/auth                   the same (SvelteKit writes `$lib` into the tsconfig it extends)
 *   #lib/auth                   the nearest package.json's `imports`
 *   next/headers, @supabase/ssr a package: never the app's, so undefined
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { createPathsMatcher, getTsconfig, type PathsMatcher } from 'get-tsconfig'
import { resolveImports, type PathConditionsMap } from 'resolve-pkg-maps'
import type { ImportResolver } from './app-modules.js'
import { isAppModule } from './follow-imports.js'

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']
/** TypeScript's ESM style: `./auth.js` written for `./auth.ts`. */
const WRITTEN_FOR = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] } as Record<string, string[]>
const IMPORT_CONDITIONS = ['node', 'import', 'default']

/** A resolver reading the file system, with each directory's tsconfig and package.json looked up once. */
export function fileSystemResolver(): ImportResolver {
  const tsconfigCache = new Map<string, unknown>()
  const matchers = new Map<string, PathsMatcher | null>()
  const packages = new Map<string, { dir: string; imports: PathConditionsMap } | null>()

  const pathsOf = (importer: string): PathsMatcher | null => {
    const tsconfig = getTsconfig(importer, 'tsconfig.json', tsconfigCache as never) ?? getTsconfig(importer, 'jsconfig.json', tsconfigCache as never)
    if (tsconfig === null) return null
    let matcher = matchers.get(tsconfig.path)
    if (matcher === undefined) matchers.set(tsconfig.path, (matcher = createPathsMatcher(tsconfig)))
    return matcher
  }

  const packageOf = (dir: string): { dir: string; imports: PathConditionsMap } | null => {
    let found = packages.get(dir)
    if (found !== undefined) return found
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const { imports } = JSON.parse(readFileSync(file, 'utf8')) as { imports?: PathConditionsMap }
      found = imports ? { dir, imports } : null
    } else found = dirname(dir) === dir ? null : packageOf(dirname(dir))
    packages.set(dir, found)
    return found
  }

  const candidates = (specifier: string, importer: string): string[] => {
    if (/^\.\.?(\/|$)/.test(specifier)) return [resolve(dirname(importer), specifier)]
    if (isAbsolute(specifier)) return [specifier]
    if (specifier.startsWith('#')) {
      const pkg = packageOf(dirname(importer))
      if (pkg === null) return []
      try {
        return resolveImports(pkg.imports, specifier, IMPORT_CONDITIONS).map((target) => resolve(pkg.dir, target))
      } catch {
        return [] // not in the map: Node would fail the import, and so will the bundler
      }
    }
    return pathsOf(importer)?.(specifier) ?? []
  }

  return (specifier, importer) => {
    for (const candidate of candidates(specifier, importer)) {
      const file = scriptFile(candidate)
      if (file === undefined) continue
      return isAppModule(file) ? { id: file.replaceAll('\\', '/'), code: readFileSync(file, 'utf8') } : undefined
    }
    return undefined
  }
}

/** The script a path names: itself, with an extension added or swapped (`.js` for `.ts`), or its `index`. */
function scriptFile(path: string): string | undefined {
  const written = /\.[mc]?jsx?$/.exec(path)?.[0]
  const tries = [
    path,
    ...(written ? (WRITTEN_FOR[written] ?? []).map((extension) => path.slice(0, -written.length) + extension) : []),
    ...EXTENSIONS.map((extension) => path + extension),
    ...EXTENSIONS.map((extension) => join(path, `index${extension}`)),
  ]
  return tries.find(isFile)
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false
}
