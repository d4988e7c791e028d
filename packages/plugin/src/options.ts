import { OptionValidator } from '@babel/helper-validator-option'
import type { ImportResolver } from './app-modules.js'
import { FRAMEWORK_NAMES, type FrameworkName } from './frameworks/index.js'

export type Target = 'node' | 'browser' | 'cloudflare' | 'vercel'
export type { FrameworkName }

export interface TransformOptions {
  /**
   * Which runtime the page is compiled for. node, browser and cloudflare wrap the page data in a
   * call of the runtime's `cachePage` (which keys it `page:<pathname>` and caches it with
   * `withRevalidate`); vercel hands the page to its framework's ISR on Vercel, or wraps it as on
   * node where the framework has none.
   * @default 'node'
   */
  target?: Target
  /**
   * Whose conventions the page follows: its loaders' inputs, what of them is per visitor, which
   * calls never return. Guessed from the file's extension, imports, path and exports.
   * @default guessed per file; 'vite' (a plain Vite app) when nothing says otherwise
   * @example 'react-router'
   */
  framework?: FrameworkName
  /**
   * Where file-based routes start, relative to the project root or absolute. The route of a page
   * is its path below this folder (`src/routes/posts/[slug].tsx` -> `/posts/[slug]`).
   * @default the first of 'src/routes', 'src/pages', 'src/app', 'app/routes', 'app', 'pages', 'routes' in the path
   */
  routesDir?: string
  /**
   * Names of exported functions that load page data.
   * @default ['loader', 'load', 'getServerSideProps', 'getStaticProps', 'data']
   */
  loaders?: string[]
  /**
   * Import source of the runtime, in place of `@revalidate/runtime/<target>`.
   * @example '@revalidate/runtime/redis-setup'
   */
  runtime?: string
  /**
   * Exported names of helpers that read the visitor's request by themselves, without being
   * handed it (session and auth helpers): a call in cached data is an error, whatever the helper
   * is called locally and wherever it is imported from. Frameworks' own (`cookies` of
   * next/headers, ...) are known without this list; a helper handed the request is caught anyway.
   * @default DEFAULT_REQUEST_BOUND
   * @example [...DEFAULT_REQUEST_BOUND, 'getViewer']
   */
  requestBound?: string[]
  /**
   * How the safety check finds the app's own modules that a page imports, to follow its calls into
   * them with the same rules as the page's own code: given an import's specifier and the importing
   * module's id, the module's resolved id and its source, or undefined for anything that is not a
   * module of the app (a package in node_modules, a virtual module, a stylesheet). Called only for
   * imports the page's data code reaches. Without it, `transform` follows no import: what an
   * imported helper reads is trusted. The hosts pass their own: the Vite plugin resolves with
   * Vite's resolver, the Babel plugin with the file system (relative paths, `tsconfig` paths,
   * package.json `imports`), the Next.js loader with Next's resolver.
   * @default none in `transform`; the host's resolver in the Vite, Babel and Next.js plugins
   * @example (specifier, importer) => (specifier === '@/lib/auth' ? { id: '/app/src/lib/auth.ts', code: authSource } : undefined)
   */
  resolveImport?: ImportResolver
  /** Project root, for relative routes in ids. @default process.cwd() */
  root?: string
  /**
   * Next.js with `cacheComponents` on rejects route segment config such as `revalidate`, so the
   * vercel target reports a pragma as an error there. `withRevalidate(nextConfig)` sets it.
   * @default false
   */
  nextCacheComponents?: boolean
}

export const DEFAULT_LOADERS = ['loader', 'load', 'getServerSideProps', 'getStaticProps', 'data']
export const DEFAULT_ROUTES_DIRS = ['src/routes', 'src/pages', 'src/app', 'app/routes', 'app', 'pages', 'routes']
/** Helpers whose usual meaning is "the visitor": NextAuth's and Clerk's `auth()`, `getServerSession()`, ... */
export const DEFAULT_REQUEST_BOUND = ['auth', 'currentUser', 'getCurrentUser', 'getServerSession', 'getServerAuthSession', 'getSession']
const TARGETS: readonly Target[] = ['node', 'browser', 'cloudflare', 'vercel']

/** Every option's name, for "did you mean" on a misspelt one. */
export const TRANSFORM_OPTION_NAMES: Record<keyof TransformOptions, keyof TransformOptions> = {
  target: 'target',
  framework: 'framework',
  routesDir: 'routesDir',
  loaders: 'loaders',
  runtime: 'runtime',
  requestBound: 'requestBound',
  resolveImport: 'resolveImport',
  root: 'root',
  nextCacheComponents: 'nextCacheComponents',
}

const validator = new OptionValidator('@revalidate/plugin')

/** Throws for an option not in `names`, with "did you mean" (Babel's own wording). */
export function checkOptionNames(options: object, names: Record<string, string>): void {
  validator.validateTopLevelOptions(options, names)
}

export interface ResolvedOptions {
  target: Target
  framework: FrameworkName | undefined
  /** Where routes start, `/`-separated without `./` or a trailing `/`. */
  routesDirs: string[]
  loaders: string[]
  runtime: string
  requestBound: Set<string>
  resolveImport: ImportResolver | undefined
  root: string
  nextCacheComponents: boolean
}

/** A folder as routes are matched against it: `/` separators, no leading `./`, no trailing `/`. */
function folderPath(dir: string): string {
  return dir.replaceAll('\\', '/').replace(/^\.\//, '').replace(/\/$/, '')
}

function stringList(name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined
  validator.invariant(Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== ''), `'${name}' option must be an array of names.`)
  return value as string[]
}

function importResolver(value: unknown): ImportResolver | undefined {
  validator.invariant(value === undefined || typeof value === 'function', `'resolveImport' option must be a function (specifier, importer) => { id, code } | undefined.`)
  return value as ImportResolver | undefined
}

/** Checks the options (an unknown one is an error with "did you mean") and fills in the defaults. */
export function resolveOptions(options: TransformOptions = {}, names: Record<string, string> = TRANSFORM_OPTION_NAMES): ResolvedOptions {
  checkOptionNames(options, names)
  const target = options.target ?? 'node'
  validator.invariant(TARGETS.includes(target), `'target' must be one of ${TARGETS.join(', ')}, got ${JSON.stringify(target)}.`)
  validator.invariant(options.framework === undefined || FRAMEWORK_NAMES.includes(options.framework), `'framework' must be one of ${FRAMEWORK_NAMES.join(', ')}, got ${JSON.stringify(options.framework)}.`)
  return {
    target,
    framework: options.framework,
    routesDirs: options.routesDir === undefined ? DEFAULT_ROUTES_DIRS : [folderPath(validator.validateStringOption('routesDir', options.routesDir, ''))],
    loaders: stringList('loaders', options.loaders) ?? DEFAULT_LOADERS,
    runtime: validator.validateStringOption('runtime', options.runtime, `@revalidate/runtime/${target}`),
    requestBound: new Set(stringList('requestBound', options.requestBound) ?? DEFAULT_REQUEST_BOUND),
    resolveImport: importResolver(options.resolveImport),
    root: validator.validateStringOption('root', options.root, process.cwd()).replaceAll('\\', '/').replace(/(.)\/+$/, '$1'), // `/app/` is `/app`
    nextCacheComponents: validator.validateBooleanOption('nextCacheComponents', options.nextCacheComponents, false) === true,
  }
}
