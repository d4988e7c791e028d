export type Target = 'node' | 'browser' | 'cloudflare' | 'vercel'

export interface TransformOptions {
  /**
   * Which runtime the page is compiled for. node, browser and cloudflare wrap the page data in
   * `withRevalidate`; vercel hands the page to the platform's own ISR.
   * @default 'node'
   */
  target?: Target
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
   * Names that read the visitor's request (calls like `cookies()`, members like `request.headers`).
   * A data section that reads one is an error: cached data is shared with every visitor.
   * @default DEFAULT_REQUEST_BOUND
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
export const DEFAULT_REQUEST_BOUND = [
  'cookies',
  'headers',
  'session',
  'getSession',
  'getServerSession',
  'auth',
  'draftMode',
  'authorization',
]
const TARGETS: readonly Target[] = ['node', 'browser', 'cloudflare', 'vercel']

export interface ResolvedOptions {
  target: Target
  routesDirs: string[]
  loaders: string[]
  runtime: string
  requestBound: Set<string>
  root: string
  nextCacheComponents: boolean
}

export function resolveOptions(options: TransformOptions = {}): ResolvedOptions {
  const target = options.target ?? 'node'
  if (!TARGETS.includes(target)) {
    throw new TypeError(`revalidate: target must be one of ${TARGETS.join(', ')}, got ${JSON.stringify(target)}`)
  }
  return {
    target,
    routesDirs: options.routesDir === undefined ? DEFAULT_ROUTES_DIRS : [options.routesDir],
    loaders: options.loaders ?? DEFAULT_LOADERS,
    runtime: options.runtime ?? `@revalidate/runtime/${target}`,
    requestBound: new Set(options.requestBound ?? DEFAULT_REQUEST_BOUND),
    root: (options.root ?? process.cwd()).replaceAll('\\', '/'),
    nextCacheComponents: options.nextCacheComponents === true,
  }
}
