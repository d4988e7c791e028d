import { OptionValidator } from '@babel/helper-validator-option'
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
  routesDirs: string[]
  loaders: string[]
  runtime: string
  requestBound: Set<string>
  root: string
  nextCacheComponents: boolean
}

function stringList(name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined
  validator.invariant(Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== ''), `'${name}' option must be an array of names.`)
  return value as string[]
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
    routesDirs: options.routesDir === undefined ? DEFAULT_ROUTES_DIRS : [validator.validateStringOption('routesDir', options.routesDir, '')],
    loaders: stringList('loaders', options.loaders) ?? DEFAULT_LOADERS,
    runtime: validator.validateStringOption('runtime', options.runtime, `@revalidate/runtime/${target}`),
    requestBound: new Set(stringList('requestBound', options.requestBound) ?? DEFAULT_REQUEST_BOUND),
    root: validator.validateStringOption('root', options.root, process.cwd()).replaceAll('\\', '/'),
    nextCacheComponents: validator.validateBooleanOption('nextCacheComponents', options.nextCacheComponents, false) === true,
  }
}
