/**
 * The app's modules as a host finds them, for the analysis to follow a page's imports into
 * (app-modules.ts). `transform` is synchronous; a bundler resolves asynchronously, so a host with
 * an asynchronous resolver (Vite, Next.js) compiles in rounds:
 *
 *   read the page once              parse, pragma, page data: nothing here depends on other modules
 *   round 1: check(page)            asks for '@/utils/supabase/server': not resolved yet, so
 *                                    taken for a package this round, and noted
 *   resolve: '@/utils/supabase/server' -> /app/src/utils/supabase/server.ts (read)
 *   round 2: check(page)            follows createClient() into it; asks for nothing new: emit
 *
 * Only imports the analysis reaches are resolved, so a page costs one check more per level of
 * modules it follows. Packages (node_modules), virtual modules and files that are not scripts
 * are never the app's.
 */
import { readFile } from 'node:fs/promises'
import type { AppModuleSource, ImportResolver } from './app-modules.js'
import type { TransformOptions } from './options.js'
import { preparePage, type TransformResult } from './transform.js'

/** Script files the analysis can read. */
const SCRIPT = /\.([mc]?[jt]sx?)$/

/** Whether a resolved id is a file of the app the analysis can follow: a script, outside node_modules, not virtual. */
export function isAppModule(id: string): boolean {
  return !id.startsWith('\0') && !/[?#]/.test(id) && SCRIPT.test(id) && !/[\\/]node_modules[\\/]/.test(id)
}

/** A host's asynchronous resolver, and how it is told which modules a page's check read. */
export interface ImportHost {
  /** The file an import names (absolute), or undefined when it names none (not found, external). */
  resolve(specifier: string, importer: string): Promise<string | undefined>
  /** Called with each module of the app read, as it is read (the page depends on it: watch it). */
  read?(id: string): void
}

/**
 * `transform`, with the page's imports of the app's modules resolved by the host, in rounds: the
 * page is read once, checked each round with the modules resolved so far, and emitted once.
 */
export async function transformFollowingImports(code: string, id: string, options: TransformOptions, host: ImportHost): Promise<TransformResult | null> {
  const prepared = preparePage(code, id, options)
  if (prepared === null) return null
  const found = new Map<string, AppModuleSource | undefined>()
  const key = (specifier: string, importer: string) => `${importer}\0${specifier}`
  for (;;) {
    const asked = new Map<string, { specifier: string; importer: string }>()
    const resolveImport: ImportResolver = (specifier, importer) => {
      const wanted = key(specifier, importer)
      if (!found.has(wanted)) asked.set(wanted, { specifier, importer })
      return found.get(wanted)
    }
    let failure: unknown
    try {
      prepared.check(resolveImport)
    } catch (error) {
      failure = error
    }
    // A round that asked for nothing new saw every module it reaches: its answer (or error) stands.
    if (asked.size === 0) {
      if (failure !== undefined) throw failure
      return prepared.emit()
    }
    await Promise.all(
      [...asked].map(async ([wanted, { specifier, importer }]) => {
        const module = await readModule(await host.resolve(specifier, importer).catch(() => undefined))
        if (module !== undefined) host.read?.(module.id)
        found.set(wanted, module)
      }),
    )
  }
}

async function readModule(id: string | undefined): Promise<AppModuleSource | undefined> {
  if (id === undefined || !isAppModule(id)) return undefined
  try {
    return { id: id.replaceAll('\\', '/'), code: await readFile(id, 'utf8') }
  } catch {
    return undefined // resolved, but gone or unreadable: the bundler will say so
  }
}
