/**
 * The Vite plugin: a thin shell around `transform`.
 *
 *   // vite.config.ts
 *   import revalidate from '@revalidate/plugin/vite'
 *   export default { plugins: [revalidate()] }
 *
 * It runs before other plugins (`enforce: 'pre'`: later ones strip comments), only on files whose
 * code mentions `Pragma:` (a hook filter, so other files cost no parse), picks the target from
 * the environment it compiles for, and prints the cached pages at the end of a build (and writes
 * them down in the build output's `.revalidate/manifest.json`). The page's imports of the app's own
 * modules are resolved with Vite's resolver for the safety check to follow (follow-imports.ts); in
 * dev, a page is compiled again when a module it followed changes.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { cachedPagesSummary, hashPragmaWarning } from './build-summary.js'
import { inspectorMiddleware } from './dev-inspector.js'
import { logCacheEvents } from './dev-log.js'
import { createFilter, type Environment, type Plugin, type Rollup } from 'vite'
import { RevalidateError } from './errors.js'
import { transformFollowingImports } from './follow-imports.js'
import { unsupportedFramework } from './frameworks/unsupported.js'
import { checkOptionNames, resolveOptions, TRANSFORM_OPTION_NAMES, type Target, type TransformOptions } from './options.js'
import { writeBuildManifest } from './manifest.js'
import { PRAGMA_HINT } from './pragma.js'
import { pathOfId } from './route.js'
import { checkRouteFilesForHashPragma, runsRouteGenerator } from './route-generator.js'
import { transform, type CachedFunction, type CachedPage } from './transform.js'
import { scanRoutes, writeVercelOutput, type VercelOutputOptions } from './vercel-output.js'
import { errorAtConfig, errorForVite, type ErrorPrinter } from './vite-errors.js'

type Filter = string | RegExp | Array<string | RegExp>

export interface RevalidateVitePluginOptions extends Omit<TransformOptions, 'target' | 'root'> {
  /**
   * `auto` picks per environment: client -> browser; resolve conditions with `workerd` (as
   * `@cloudflare/vite-plugin` sets them) -> cloudflare; `VERCEL` set -> vercel; else node.
   * @default 'auto'
   */
  target?: Target | 'auto'
  /**
   * Files the plugin looks at, matched against the file path without the query a module id may
   * carry (React Router asks for `route.tsx?__react-router-build-client-route`).
   * @default /\.(m?[jt]sx?|astro)$/
   */
  include?: Filter
  /**
   * Files the plugin never looks at (matched like `include`).
   * @default /node_modules/
   */
  exclude?: Filter
  /**
   * With target vercel, the server build is written as Vercel Build Output (`.vercel/output`):
   * one function for every route, a prerender config (ISR) for each cached one.
   */
  vercel?: VercelOutputOptions
  /**
   * In dev, log each cache event of a compiled page on one line
   * (`[revalidate] HIT page:/posts/hello age 12s`). Server-side pages only: those run in the dev
   * server's process.
   * @default true
   */
  log?: boolean
  /**
   * In dev, the cache inspector at `/__revalidate`: every entry of the dev server's caches, the
   * live events, invalidation buttons, and compiled pages linked to their source
   * (docs/observability.md). `false` turns it off.
   * @default true
   */
  inspector?: boolean
}

export const DEFAULT_INCLUDE = /\.(m?[jt]sx?|astro)$/
export const DEFAULT_EXCLUDE = /node_modules/
/** An .astro page itself, not one of the `?astro&type=style` parts Astro asks for. */
const ASTRO_PAGE = /\.astro$/
/** The Vite plugin's options: the transform's (its root is Vite's) and its own. */
const VITE_OPTION_NAMES: Record<string, string> = { ...TRANSFORM_OPTION_NAMES, include: 'include', exclude: 'exclude', vercel: 'vercel', log: 'log', inspector: 'inspector' }
delete VITE_OPTION_NAMES.root

/** How a page is cached, for the build's list: its runtime, or what Vercel was handed. */
function describeTarget(page: CachedPage): string {
  if (page.vercel === undefined) return page.target
  if (page.vercel === 'wrapped') return `vercel: wrapped as on node (${page.framework} has no per-page ISR on Vercel), cached in each function instance`
  return `vercel: ISR (${page.vercel})`
}

export function targetFor(environment: Pick<Environment, 'config'> | undefined): Target {
  if (environment?.config.consumer === 'client') return 'browser'
  if (environment?.config.resolve.conditions.includes('workerd')) return 'cloudflare'
  if (process.env.VERCEL) return 'vercel'
  return 'node'
}

/** What one environment's build has seen; dropped when that environment starts a new build (watch mode). */
interface BuildState {
  cachedPages: Map<string, CachedPage>
  /** The functions cached with a pragma, by file (the build lists them after the pages). */
  cachedFunctions: Map<string, CachedFunction[]>
  /** The module ids each page was compiled as (`post.tsx`, `post.tsx?__react-router-build-client-route`). */
  moduleIds: Map<string, Set<string>>
  /** .astro pages compiled when loaded: what reaches the transform hook for them is Astro's output. */
  compiledOnLoad: Set<string>
  /** The pages still cached in what the environment built (buildEnd), by file: the summary's and the manifest's. */
  builtPages?: Map<string, CachedPage>
}

/** What buildEnd reads of the modules built: their code after every plugin. */
interface ModuleInfoReader {
  getModuleInfo(id: string): { code?: string | null } | null
}

/** The call a wrapped page makes, under whatever local name the compiler gave it. */
const WRAPPER_CALL = /__rv\d*_cachePage\(/

export default function revalidate(options: RevalidateVitePluginOptions = {}): Plugin {
  checkOptionNames(options, VITE_OPTION_NAMES)
  const { include = DEFAULT_INCLUDE, exclude = DEFAULT_EXCLUDE, target = 'auto', vercel = {}, log = true, inspector = true, ...transformOptions } = options
  resolveOptions({ ...transformOptions, target: target === 'auto' ? 'node' : target }) // a bad value fails here, when the plugin is made
  const buildsForVercel = target === 'vercel' || (target === 'auto' && Boolean(process.env.VERCEL))
  let root = process.cwd()
  let isBuild = false
  let wanted = createFilter(include, exclude)
  let stopLogging: (() => void) | undefined
  /** An app of a framework the pragma does not support (told once, at configResolved): nothing is compiled. */
  let unsupported = false
  let errorPrinter: ErrorPrinter = 'vite'
  /** Files the `#` warning has named already: one line per build, not one per environment. */
  const warnedHashFiles = new Set<string>()
  const builds = new Map<string, BuildState>()
  const stateOf = (environment: Environment | undefined): BuildState => {
    const name = environment?.name ?? 'default'
    let state = builds.get(name)
    if (state === undefined) builds.set(name, (state = { cachedPages: new Map(), cachedFunctions: new Map(), moduleIds: new Map(), compiledOnLoad: new Set() }))
    return state
  }

  /** Whether the plugin looks at a module: a file it includes, not a virtual module. */
  function looksAt(id: string): boolean {
    return !unsupported && !id.startsWith('\0') && wanted(pathOfId(id))
  }

  /** Modules of the app that pages' checks followed, with the pages (module ids): a change re-checks them. */
  const followedBy = new Map<string, Set<string>>()

  async function compile(context: Pick<Rollup.PluginContext, 'resolve' | 'addWatchFile'> & { environment?: Environment }, code: string, id: string) {
    const { environment } = context
    const pageTarget = target === 'auto' ? targetFor(environment) : target
    const path = pathOfId(id)
    const options = { ...transformOptions, target: pageTarget, root }
    let result
    try {
      result = transformOptions.resolveImport
        ? transform(code, path, options)
        : await transformFollowingImports(code, path, options, {
            async resolve(specifier, importer) {
              const resolved = await context.resolve(specifier, importer)
              return resolved && !resolved.external ? resolved.id : undefined
            },
            read(file) {
              context.addWatchFile(file) // watch mode rebuilds the page
              if (!followedBy.has(file)) followedBy.set(file, new Set())
              followedBy.get(file)!.add(id)
            },
          })
    } catch (error) {
      throw error instanceof RevalidateError ? errorForVite(error, errorPrinter) : error
    }
    if (result === null) return null
    const state = stateOf(environment)
    if (result.functions.length > 0) state.cachedFunctions.set(path, result.functions)
    if (result.page !== undefined) {
      state.cachedPages.set(path, result.page)
      state.moduleIds.set(path, (state.moduleIds.get(path) ?? new Set()).add(id))
      // A dev server has no end of build: it names a `#` file when it first compiles it.
      if (!isBuild) warnOfHashPragmas(environment, [result.page])
    }
    return { code: result.code, map: result.map }
  }

  function warnOfHashPragmas(environment: Environment | undefined, pages: Iterable<CachedPage>): void {
    const files = [...pages].filter((page) => page.hash && !warnedHashFiles.has(page.file)).map((page) => page.file)
    const warning = hashPragmaWarning(files)
    if (warning === undefined) return
    for (const file of files) warnedHashFiles.add(file)
    environment?.logger.warn(warning)
  }

  /**
   * Whether a wrapped page is still cached in what this environment built: a framework may drop
   * the loader after us (React Router's client build keeps no server-only `loader`).
   */
  function stillWrapped(context: ModuleInfoReader, page: CachedPage, moduleIds: Iterable<string> = []): boolean {
    if (page.vercel !== undefined && page.vercel !== 'wrapped') return true // handed to the platform: nothing of ours to find
    const codes = [...moduleIds].map((id) => context.getModuleInfo(id)?.code)
    // A host that keeps no transformed code (null) cannot tell: the page counts as cached.
    return codes.length === 0 || codes.some((code) => typeof code !== 'string' || WRAPPER_CALL.test(code))
  }

  return {
    name: 'revalidate',
    enforce: 'pre',
    config(config) {
      // A Vercel function has only what is in its folder: bundle the server's dependencies.
      if (buildsForVercel && config.ssr?.noExternal === undefined) return { ssr: { noExternal: true } }
      return undefined
    },
    configResolved(config) {
      root = config.root
      isBuild = config.command === 'build'
      wanted = createFilter(include, exclude, { resolve: root })
      errorPrinter = isBuild && config.plugins.some((plugin) => plugin.name.startsWith('astro:')) ? 'astro' : 'vite'
      const unsupportedLine = unsupportedFramework(config.plugins)
      if (unsupportedLine !== undefined) {
        if (!unsupported) config.logger.warn(unsupportedLine)
        unsupported = true
        return
      }
      if (runsRouteGenerator(config.plugins)) {
        try {
          checkRouteFilesForHashPragma(resolveOptions({ ...transformOptions, root }).routesDirs.map((dir) => resolve(root, dir)))
        } catch (error) {
          throw error instanceof RevalidateError ? errorAtConfig(error) : error
        }
      }
    },
    configureServer(server) {
      if (log) stopLogging ??= logCacheEvents((line) => server.config.logger.info(line, { timestamp: true }))
      if (inspector) server.middlewares.use(inspectorMiddleware(() => root, () => [...builds.values()].flatMap((state) => [...state.cachedPages.values()])))
    },
    buildStart() {
      builds.delete(this.environment?.name ?? 'default')
    },
    closeBundle() {
      stopLogging?.()
      stopLogging = undefined
    },
    // Astro compiles an .astro file before any transform hook sees it, so its source is
    // compiled here, where it is read; Astro then compiles what this returns.
    load: {
      filter: { id: ASTRO_PAGE },
      handler(id) {
        if (!ASTRO_PAGE.test(id) || !looksAt(id)) return null
        const code = readFileSync(id, 'utf8')
        if (!PRAGMA_HINT.test(code)) return null
        stateOf(this.environment).compiledOnLoad.add(id)
        return compile(this, code, id)
      },
    },
    // The hook filter (where Vite has them) skips every file without "Pragma:" unparsed; the
    // handler checks the same, and include/exclude on the path, for a Vite without filters.
    transform: {
      filter: { code: PRAGMA_HINT },
      handler(code, id) {
        if (!PRAGMA_HINT.test(code) || !looksAt(id)) return null
        // An .astro page compiled on load arrives here as Astro's output; one not loaded by us
        // (no Astro plugin in this build) is still its source, and is compiled here.
        if (stateOf(this.environment).compiledOnLoad.has(id)) return null
        return compile(this, code, id)
      },
    },
    // A page imports the module it followed, so Vite would only soft-invalidate it (keeping its
    // transform): it is invalidated outright, to be checked again against the module's new code.
    hotUpdate({ file, modules }) {
      const pages = [...(followedBy.get(file) ?? [])].flatMap((page) => this.environment.moduleGraph.getModuleById(page) ?? [])
      return pages.length === 0 ? undefined : [...modules, ...pages]
    },
    writeBundle(output, bundle) {
      // The manifest of cached routes (manifest.ts): a server build always has one, another when it cached pages.
      const { builtPages = new Map() } = stateOf(this.environment)
      if (isBuild && output.dir !== undefined && (builtPages.size > 0 || this.environment?.config.consumer === 'server')) writeBuildManifest(output.dir, this.environment?.name ?? 'default', builtPages, root)
      if (!buildsForVercel || this.environment?.config.consumer !== 'server' || output.dir === undefined) return
      const entry = Object.values(bundle).find((item) => item.type === 'chunk' && item.isEntry)
      if (entry === undefined) return
      // Only a plain Vite app: a framework with its own Vercel adapter (SvelteKit's) writes its own output.
      const pages = [...stateOf(this.environment).cachedPages.values()]
      if (pages.some((page) => page.vercel !== 'Build Output')) return
      const written = writeVercelOutput({
        root,
        serverDir: output.dir,
        serverEntry: entry.fileName,
        routes: scanRoutes(resolveOptions({ ...transformOptions, root })),
        cached: pages,
        options: vercel,
      })
      this.environment.logger.info(`[revalidate] Vercel Build Output written to ${written.outputDir}`)
    },
    buildEnd(error) {
      const state = builds.get(this.environment?.name ?? 'default')
      if (!isBuild || error !== undefined || state === undefined) return
      warnOfHashPragmas(this.environment, state.cachedPages.values())
      state.builtPages = new Map([...state.cachedPages].filter(([path, page]) => stillWrapped(this, page, state.moduleIds.get(path))))
      const pages = [...state.builtPages.values()]
      const entries = pages.map((page) => ({ route: page.route, ttl: page.ttl, how: describeTarget(page), component: page.component ? page.file : undefined }))
      if (entries.length > 0) this.environment.logger.info(cachedPagesSummary(`cached page(s) in ${this.environment.name}`, entries))
      const functions = [...state.cachedFunctions.values()].flat().map((fn) => ({ route: `${fn.file}#${fn.name}`, ttl: fn.ttl, how: fn.target === 'vercel' ? 'vercel: wrapped as on node (no per-function ISR)' : fn.target }))
      if (functions.length > 0) this.environment.logger.info(cachedPagesSummary(`cached function(s) in ${this.environment.name}`, functions))
    },
  }
}
