/**
 * What Next.js needs of an app router module for the `export const revalidate` the pragma gives
 * it to cache anything. Measured with Next 16.4 (`next build && next start`, `x-nextjs-cache`):
 * each of these makes Next render the route on every request, silently, or answer 500 where the
 * route has `generateStaticParams` (DYNAMIC_SERVER_USAGE), so each is a compile error here:
 *
 *   app/posts/[slug]/page.tsx, no generateStaticParams   rendered on every request
 *   export const dynamic = 'force-dynamic'               rendered on every request
 *   export const fetchCache = 'force-no-store'           its fetches make the route dynamic (and
 *     (or 'default-no-store', 'only-no-store')             any fetch the page makes is uncached)
 *   export const runtime = 'edge'                        no static generation on the edge runtime
 *   cookies(), headers(), draftMode(), connection(),     dynamic rendering
 *     unstable_noStore() anywhere in the module
 *   the page's searchParams read anywhere in the page    dynamic rendering
 *
 * Harmless, measured the same way: `dynamic = 'force-static'` (Next caches, with empty cookies,
 * headers and searchParams), `fetchCache = 'force-no-store'` where nothing fetches, and a
 * `searchParams` handed to a component that never reads it.
 *
 * `generateStaticParams` is not added by the compiler: with one, a route under a layout that reads
 * `cookies()` (which the compiler does not see from the page) answers 500 on every request
 * instead of rendering; the user adds it knowing that, from the error's fix.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Expression, Node, Program } from '@babel/types'
import { modulesOfPage, type ImportResolver } from './app-modules.js'
import { DataFlow, type FlowReporter } from './flow/data-flow.js'
import { importedShape } from './frameworks/index.js'
import { NEXT_DYNAMIC_APIS } from './frameworks/next.js'
import { defaultExportedFunction, exportedConst, exportsFunction } from './module-exports.js'
import type { Page } from './page.js'

/** An app router module: its kind (`page`, `layout`, `route`, ...) and the route folders above it. */
const APP_ROUTER_FILE = /\/app\/((?:.*\/)?)(page|layout|template|default|route)\.[mc]?[jt]sx?$/
const DYNAMIC_SEGMENT = /^\[.+\]$/
const LAYOUT_FILES = ['layout.tsx', 'layout.ts', 'layout.jsx', 'layout.js', 'layout.mjs']
const NO_STORE = new Set(['force-no-store', 'default-no-store', 'only-no-store'])

/**
 * Throws for anything in an app router module that would keep Next from caching it, following the
 * page's code into the modules of the app that `resolveImport` finds for its imports.
 */
export function checkAppRouterCaches(page: Page, resolveImport: ImportResolver | undefined): void {
  const match = APP_ROUTER_FILE.exec(page.source.id)
  if (match === null) return
  const dynamic = exportedConstValue(page.program, 'dynamic')
  checkSegmentConfig(page, dynamic)
  // With force-static, Next caches the page and hands it empty cookies, headers and searchParams.
  if (dynamic?.value === 'force-static') return
  checkDynamicApis(page)
  checkSearchParams(page, resolveImport)
  const [, folders, kind] = match
  if ((kind === 'page' || kind === 'route') && dynamic?.value !== 'error') checkStaticParams(page, folders!, kind)
}

function checkSegmentConfig({ program, source }: Page, dynamic: ConstValue | undefined): void {
  if (dynamic?.value === 'force-dynamic') {
    throw source.error(
      'RV506',
      dynamic.node.start!,
      dynamic.node.end!,
      "`dynamic = 'force-dynamic'` makes Next.js render this route on every request, so the pragma's `revalidate` would cache nothing.",
      'remove the `dynamic` export (or the pragma).',
    )
  }
  const fetchCache = exportedConstValue(program, 'fetchCache')
  if (fetchCache !== undefined && NO_STORE.has(String(fetchCache.value))) {
    throw source.error(
      'RV506',
      fetchCache.node.start!,
      fetchCache.node.end!,
      `\`fetchCache = '${String(fetchCache.value)}'\` leaves the route's fetches uncached, and Next.js renders a route with an uncached fetch on every request, so the pragma's \`revalidate\` would cache nothing.`,
      "remove the `fetchCache` export; a fetch that must never be cached says so itself (`fetch(url, { cache: 'no-store' })`), outside the pages with the pragma.",
    )
  }
  const runtime = exportedConstValue(program, 'runtime')
  if (runtime?.value === 'edge') {
    throw source.error(
      'RV506',
      runtime.node.start!,
      runtime.node.end!,
      "Next.js does not cache a route on the edge runtime (`runtime = 'edge'` turns static generation off), so the pragma's `revalidate` would cache nothing.",
      "remove the `runtime` export (the Node.js runtime is Next's default), or the pragma.",
    )
  }
}

/** `cookies()`, `headers()`, ... anywhere in the module, whatever they are called locally. */
function checkDynamicApis({ program, source, scopes }: Page): void {
  scopes.eachReference(program, scopes.module, (identifier, binding) => {
    if (binding?.source.type !== 'import') return
    const { source: from, imported } = binding.source
    const apis = NEXT_DYNAMIC_APIS[from]
    const dynamicApi = apis === '*' || (imported !== '*' && apis?.includes(imported) === true)
    if (!dynamicApi && importedShape(from, imported)?.kind !== 'visitor') return
    const name = imported === '*' ? `${identifier.name}.*` : `${imported}()`
    throw source.error(
      'RV506',
      identifier.start!,
      identifier.end!,
      `\`${name}\` (from ${from}) makes Next.js render this route on every request, wherever it is called in the module, so the pragma's \`revalidate\` would cache nothing.`,
      "read it in a route without the pragma, or in a Client Component; or, if the page may be cached with empty cookies and headers, `export const dynamic = 'force-static'`.",
    )
  })
}

/** The page's `searchParams`, read anywhere in the page function (its final `return` included). */
function checkSearchParams(page: Page, resolveImport: ImportResolver | undefined): void {
  const fn = defaultExportedFunction(page.program)?.fn
  if (fn === undefined) return
  const { source, framework } = page
  const fail = (node: Node): never => {
    throw source.error(
      'RV506',
      node.start!,
      node.end!,
      `\`${source.code.slice(node.start!, node.end!).replace(/\s+/g, ' ')}\` reads the query string, and Next.js renders a page that reads its \`searchParams\` on every request, so the pragma's \`revalidate\` would cache nothing.`,
      'read the query in a Client Component (`useSearchParams()`), or move what varies into a route parameter (`app/posts/[page]/page.tsx`).',
    )
  }
  const reporter: FlowReporter = {
    visitorRead: () => undefined, // checked on the whole module above
    handedWhole: (node, _shape, call) => fail(call ?? node),
    queryRead: (node) => fail(node),
    returned: () => undefined,
  }
  const modules = modulesOfPage(page, resolveImport)
  new DataFlow({ framework, modules, reporter, requestBound: page.options.requestBound }).loader(fn, framework.pageProps, page.scopes.module)
}

/**
 * A page or route handler below a dynamic segment is cached only with `generateStaticParams`,
 * in the module or in a layout above it (Next asks every segment's, top down).
 */
function checkStaticParams({ program, source, pragma }: Page, folders: string, kind: string): void {
  if (!folders.split('/').some((segment) => DYNAMIC_SEGMENT.test(segment))) return
  if (exportedConstValue(program, 'generateStaticParams') !== undefined || exportsFunction(program, 'generateStaticParams')) return
  if (layoutAboveHasStaticParams(source.id, folders)) return
  // With dynamicParams = false, Next answers 404 for any path generateStaticParams does not return.
  const onlyListed = exportedConstValue(program, 'dynamicParams')?.value === false
  throw source.error(
    'RV507',
    pragma.start,
    pragma.end,
    `This ${kind === 'page' ? 'page' : 'route handler'} is below a dynamic segment and has no \`generateStaticParams\`, so Next.js renders it on every request and the pragma's \`revalidate\` would cache nothing.`,
    `${
      onlyListed
        ? 'add `export async function generateStaticParams()` returning the params of every path (with `dynamicParams = false`, Next answers 404 for a path it does not return).'
        : 'add `export async function generateStaticParams() { return [] }` to render each path on its first request and cache it (or return the params to render at build time).'
    } Next then answers 500 for a path whose page or layouts read \`cookies()\`, \`headers()\` or \`searchParams\`: read those outside this route.`,
  )
}

/** Whether a layout.* of this folder or of one above it, up to `app/`, mentions generateStaticParams. */
function layoutAboveHasStaticParams(file: string, folders: string): boolean {
  let dir = dirname(file)
  for (let depth = folders.split('/').filter(Boolean).length; depth >= 0; depth--, dir = dirname(dir)) {
    for (const name of LAYOUT_FILES) {
      let code: string
      try {
        code = readFileSync(join(dir, name), 'utf8')
      } catch {
        continue
      }
      if (code.includes('generateStaticParams')) return true
    }
  }
  return false
}

interface ConstValue {
  value: unknown
  node: Expression
}

/** `export const <name> = <literal>`: its value (undefined for anything but a literal) and node. */
function exportedConstValue(program: Program, name: string): ConstValue | undefined {
  const init = exportedConst(program, name)
  if (init === undefined) return undefined
  const value = init.type === 'StringLiteral' || init.type === 'NumericLiteral' || init.type === 'BooleanLiteral' ? init.value : undefined
  return { value, node: init }
}
