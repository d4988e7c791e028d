import type { Comment, Program } from '@babel/types'
import { exportsCacheableFunction, findCachedFunctions, isOverloadSignature, refusePageTagPlaceholders, type CachedFunctionSite } from './cached-functions.js'
import { wrapFunction, functionConstant, type FunctionNames } from './wrap-function.js'
import { checkCachedFunction, checkPageData } from './checks.js'
import { SourceEdits, type SourceMapV3 } from './edits.js'
import { internalError, RevalidateError, SourceText } from './errors.js'
import type { ImportResolver } from './app-modules.js'
import { detectFramework, frameworkNamed, isRouteFile, type FrameworkName, type VercelIsr } from './frameworks/index.js'
import { checkAppRouterCaches } from './next-app-router.js'
import type { Page } from './page.js'
import { resolveOptions, type ResolvedOptions, type Target, type TransformOptions } from './options.js'
import { findPageData, type PageData } from './page-data.js'
import { astroFrontmatter, parsePage } from './parse.js'
import { checkNoPragmaAboveFence, checkNoPragmaBelowHeader, PRAGMA_HINT, readHeader, type Header, type Pragma } from './pragma.js'
import { pathOfId, routeFromId } from './route.js'
import { posix } from 'node:path'
import { Scopes } from './scopes.js'
import { checkHandover, handedToVercel, handToVercel, type Handover } from './vercel.js'
import { versionOf, versionOfFunction } from './version.js'
import { pageConstant, wrapPageData, type RuntimeNames } from './wrap.js'

export interface CachedPage {
  ttl: number
  route: string
  /** Where the page is cached: wrapped for a runtime target, or handed to Vercel's ISR. */
  target: Target
  /** On Vercel: how the platform was told (`route segment config`, `config.isr`, ...), or why the page is wrapped. */
  vercel?: Handover | 'wrapped'
  framework: FrameworkName
  /** Query parameter names that vary the data (the pragma's `query`). */
  query: string[]
  /** The page's file, relative to the project root. */
  file: string
  /** A component that pages render (an Astro layout), not a route: cached once per page that renders it. */
  component: boolean
  /** Written as a `# Pragma:` line, which is not JavaScript: tsc, editors and linters reject it. */
  hash: boolean
  /** The pragma's `tags`. */
  tags: string[]
  /** The pragma's `stale`, when it gives one. */
  staleSeconds?: number
  /** The pragma as written, and the line it starts on (1-based): the dev inspector links to it. */
  pragma: { text: string; line: number }
  /** The hash of the page's data code its entries carry, when the page is wrapped for the runtime. */
  version?: string
}

/** A function cached with a pragma right above its `export` (docs/pragma.md, "On exported functions"). */
export interface CachedFunction {
  name: string
  /** Its module, relative to the project root. */
  file: string
  /** The target it was compiled for (on Vercel, wrapped as on node). */
  target: Target
  ttl: number
  /** The pragma's tags, as written (`post:{slug}`). */
  tags: string[]
  staleSeconds?: number
  /** The hash of its code its entries carry. */
  version: string
  pragma: { text: string; line: number }
}

export interface TransformResult {
  code: string
  map: SourceMapV3
  /** The page, when the module's header has a page's pragma. */
  page?: CachedPage
  /** The functions the module caches, in order (empty for a page alone). */
  functions: CachedFunction[]
}

/**
 * Compiles one page: reads its pragma, finds its data, checks it is safe to share, and wraps it
 * for the target (or hands it to Vercel's ISR). Returns null when the file has no pragma or was
 * compiled already; throws a RevalidateError (id, loc, frame) for a bad page.
 */
export function transform(code: string, id: string, options?: TransformOptions): TransformResult | null {
  const prepared = preparePage(code, id, options)
  if (prepared === null) return null
  prepared.check(prepared.page.options.resolveImport)
  return prepared.emit()
}

/**
 * A page read, its data found: what does not depend on the app's other modules, done once. A host
 * that resolves the page's imports in rounds (follow-imports.ts) checks it again each round with
 * what it has resolved so far, and emits it once.
 */
export interface PreparedPage {
  page: Page
  /**
   * Checks the page's data, following its imports into the modules `resolveImport` finds, and, on
   * Vercel, what its framework's ISR is handed (all of a Next.js app router page); throws what it finds.
   */
  check(resolveImport: ImportResolver | undefined): void
  /** The compiled page: its code, source map, and how it is cached. */
  emit(): TransformResult
}

/** Reads a page and finds its data; null when it has no pragma or was compiled already. */
export function preparePage(code: string, id: string, options?: TransformOptions): PreparedPage | null {
  if (!PRAGMA_HINT.test(code)) return null
  const resolved = resolveOptions(options)
  const source = new SourceText(code, id)
  const prepared = compiling(source, () => readPage(source, resolved))
  return (
    prepared && {
      page: prepared.page,
      check: (resolveImport) => compiling(source, () => prepared.check(resolveImport)),
      emit: () => compiling(source, prepared.emit),
    }
  )
}

/**
 * Runs one step of compiling a page. A page's own error passes as it is; code nested thousands
 * deep (generated, usually) runs the parser or the analysis out of stack, which is the page's
 * error too; anything else is a bug of the compiler's, and says so.
 */
function compiling<T>(source: SourceText, work: () => T): T {
  try {
    return work()
  } catch (error) {
    if (error instanceof RevalidateError) throw error
    if (!(error instanceof RangeError) || !/call stack/i.test(error.message)) throw internalError(error, source.id)
    const pragma = /Pragma:/i.exec(source.code)!
    throw source.error(
      'RV311',
      pragma.index,
      pragma.index + pragma[0].length,
      'This page nests its code too deeply for the compiler to follow (the JavaScript stack ran out).',
      'split the deeply nested expression into statements, or remove the pragma.',
    )
  }
}

/** Files whose code is JavaScript or TypeScript (with JSX), or an Astro component's frontmatter. */
const COMPILED_FILE = /\.([mc]?[jt]sx?|astro)$/

function readPage(source: SourceText, resolved: ResolvedOptions): PreparedPage | null {
  const { code, id } = source
  const path = pathOfId(id)
  if (!COMPILED_FILE.test(path)) throw unsupportedFile(source, path)
  const frontmatter = path.endsWith('.astro') ? astroFrontmatter(code) : null
  if (path.endsWith('.astro')) {
    if (frontmatter !== null) checkNoPragmaAboveFence(source, frontmatter.fence)
    // No frontmatter (or text above the fence): compiled by Astro already, or nothing to cache.
    if (frontmatter === null || code.slice(0, frontmatter.fence).trim() !== '') return null
  }
  const header = readHeader(source, frontmatter?.start ?? 0)
  const file = parsePage(header.code, source, frontmatter)
  const { program } = file
  // Compiled already (a second pass): the header's pragma may now be above the runtime import.
  if (wrappedAlready(program, resolved)) return null
  const comments = file.comments ?? []
  const scopes = new Scopes(program)
  const cached = frontmatter === null ? findFunctions(source, program, comments, header, resolved, path, scopes) : { functions: [], claimed: new Set<number>(), pagePragma: header.pragma }
  checkNoPragmaBelowHeader(comments, header, source, cached.claimed)
  const pragma = cached.pagePragma
  const { functions } = cached
  if (pragma === null) {
    if (functions.length === 0) return null
    const page: Page = { id, path, source, program, comments, scopes, pragma: functions[0]!.pragma, framework: detectFramework(path, program), options: resolved, frontmatter: false }
    return {
      page,
      check: (resolveImport) => checkFunctions(page, functions, resolveImport),
      emit: () => emitModule(page, undefined, undefined, functions, header.code !== code),
    }
  }
  const detected = resolved.framework ? frameworkNamed(resolved.framework) : detectFramework(path, program)
  const framework = detected.variantFor?.(path) ?? detected
  // On Vercel, a framework with per-page ISR gets the page as it is; one without is wrapped as on node.
  const isr = resolved.target === 'vercel' ? framework.vercel : undefined
  if (framework.serverRefusal && isr === undefined && resolved.target !== 'browser') {
    throw source.error(framework.serverRefusal.code, pragma.start, pragma.end, framework.serverRefusal.problem, framework.serverRefusal.fix)
  }
  if (isr !== undefined ? handedToVercel(program, pragma, source, ISR_NAME) : wrappedAlready(program, resolved)) return null

  const page: Page = { id, path, source, program, comments, scopes, pragma, framework, options: resolved, frontmatter: frontmatter !== null }
  // The platform caches the rendered page, so a page that loads nothing of its own is fine there (Next.js).
  const data = findPageData(page, isr === 'next')
  return {
    page,
    check: (resolveImport) => {
      if (data !== undefined) checkPageData(page, data, resolveImport)
      checkFunctions(page, functions, resolveImport)
      if (isr === undefined) return
      // Next caches a page handed over as route segment config only if nothing in it asks for the request.
      if (checkHandover({ program, pragma, source, options: resolved, data, isr }) === 'route segment config') checkAppRouterCaches(page, resolveImport)
    },
    emit: () => emitModule(page, data, isr, functions, header.code !== code),
  }
}

/**
 * The module's cached functions, and the page's pragma: the header's, unless it is the pragma of
 * the exported function below it (a module that is no route file, has no default export and no
 * page data, and whose first statement exports a function).
 */
function findFunctions(source: SourceText, program: Program, comments: readonly Comment[], header: Header, resolved: ResolvedOptions, path: string, scopes: Scopes) {
  const { pragma } = header
  const headerIsFunctions =
    pragma !== null &&
    exportsCacheableFunction(program.body.find((statement) => !isOverloadSignature(statement)), resolved.loaders) &&
    !isRouteFile(path) && // a route handler's `export async function GET`, a page's `generateStaticParams`: the page's pragma
    !program.body.some((statement) => statement.type === 'ExportDefaultDeclaration') &&
    !hasPageData(source, program, comments, pragma, resolved, path, scopes)
  const found = findCachedFunctions(program, comments, source, resolved.loaders, header.end, headerIsFunctions)
  return { ...found, pagePragma: headerIsFunctions ? null : pragma }
}

/** Whether the module has data a page's pragma would cache (a loader, a page function). */
function hasPageData(source: SourceText, program: Program, comments: readonly Comment[], pragma: Pragma, resolved: ResolvedOptions, path: string, scopes: Scopes): boolean {
  const framework = resolved.framework ? frameworkNamed(resolved.framework) : detectFramework(path, program)
  const page: Page = { id: source.id, path, source, program, comments, scopes, pragma, framework, options: resolved, frontmatter: false }
  try {
    return findPageData(page, true) !== undefined
  } catch {
    return true // a page whose data is wrong: the page's error says so
  }
}

function checkFunctions(page: Page, functions: readonly CachedFunctionSite[], resolveImport: ImportResolver | undefined): void {
  for (const site of functions) checkCachedFunction(page, site, resolveImport)
}

/**
 * The module's code with its page data wrapped (or handed to Vercel) and its cached functions
 * wrapped, and how each is cached. `data` is undefined for a module that caches functions only.
 */
function emitModule(page: Page, data: PageData | undefined, isr: VercelIsr | undefined, functions: readonly CachedFunctionSite[], hashPragma: boolean): TransformResult {
  const { source, program } = page
  const { code } = source
  const names = runtimeNames(code)
  const edits = new SourceEdits(code)
  // A shebang must be the first thing in a module; a byte order mark before it is dropped.
  if (code.charCodeAt(0) === 0xfeff && code.startsWith('#!', 1)) edits.replace(0, 1, '')
  if (hashPragma) {
    const hashed = functions.length > 0 && data === undefined && isr === undefined ? functions[0]!.pragma : page.pragma
    edits.replace(hashed.start, hashed.start + 2, '//')
  }
  const wrapsPage = data !== undefined || isr !== undefined
  const runtime = runtimeOf(page.options)
  const fnInputs = functions.map((site) => ({ site, module: moduleOf(page.path, page.options.root), version: versionOfFunction(page, site.fn), names: functionNames(names) }))
  // The runtime import first, so it comes before anything else inserted at the first statement.
  const pageWrapped = wrapsPage && isr === undefined
  const imported = [...(pageWrapped ? [`cachePage as ${names.cachePage}`] : []), ...(functions.length > 0 ? [`cacheFunction as ${names.cacheFunction}`, `registerFunction as ${names.registerFunction}`] : [])]
  const importStatement = imported.length > 0 ? `import { ${imported.join(', ')} } from ${JSON.stringify(runtime)}; ` : ''
  const cachedPage = wrapsPage ? emitPage(page, data, isr, hashPragma, edits, names, importStatement) : (importStatement && edits.insert(program.body[0]!.start!, importStatement), undefined)
  if (fnInputs.length > 0) edits.insert(program.body[0]!.start!, fnInputs.map(functionConstant).join(''))
  for (const input of fnInputs) wrapFunction(edits, input)
  const cachedFunctions = fnInputs.map(({ site, version }) => {
    const cached: CachedFunction = { name: site.name, file: relativeTo(page.path, page.options.root), target: page.options.target, ttl: site.pragma.ttl, tags: site.pragma.tags, version, pragma: { text: code.slice(site.pragma.start, site.pragma.end).trim(), line: source.locate(site.pragma.start).line } }
    if (site.pragma.staleSeconds !== undefined) cached.staleSeconds = site.pragma.staleSeconds
    return cached
  })
  return { ...edits.apply(page.id), ...(cachedPage ? { page: cachedPage } : {}), functions: cachedFunctions }
}

/** The page's data wrapped (or handed to Vercel), and how it is cached. */
function emitPage(page: Page, data: PageData | undefined, isr: VercelIsr | undefined, hashPragma: boolean, edits: SourceEdits, names: RuntimeNames, importStatement: string): CachedPage {
  const { id, path, source, program, pragma, framework, options: resolved } = page
  const { code } = source
  refusePageTagPlaceholders(pragma, source)
  const route = (data?.kind === 'loader' && data.route) || routeFromId(id, resolved)
  const cached: CachedPage = {
    ttl: pragma.ttl,
    route,
    target: resolved.target,
    framework: framework.name,
    query: pragma.query,
    tags: pragma.tags,
    file: relativeTo(path, resolved.root),
    component: framework.component === true,
    hash: hashPragma,
    pragma: { text: code.slice(pragma.start, pragma.end).trim(), line: source.locate(pragma.start).line },
  }
  if (pragma.staleSeconds !== undefined) cached.staleSeconds = pragma.staleSeconds
  if (isr !== undefined) {
    cached.vercel = handToVercel({ edits, program, pragma, source, options: resolved, data, isr, isrName: names.isr })
    if (importStatement) edits.insert(program.body[0]!.start!, importStatement)
  } else {
    if (data === undefined) throw new Error('unreachable: page data is optional only where Vercel caches the page')
    const input = { data, pragma, route, version: versionOf(page, data), names, framework, module: moduleOf(path, resolved.root), typescript: isTypeScript(path) }
    cached.version = input.version
    // First, so it comes before anything else inserted at the first statement (the wrapper, moved declarations).
    edits.insert(program.body[0]!.start!, importStatement + pageConstant(input))
    wrapPageData(edits, input)
    if (resolved.target === 'vercel') cached.vercel = 'wrapped'
  }
  return cached
}

/**
 * A `.vue`, `.svelte` or `.mdx` file handed to the compiler (an `include` that names it): parsing
 * it as JavaScript would only say "Adjacent JSX elements", nowhere near the point.
 */
function unsupportedFile(source: SourceText, path: string) {
  const pragma = PRAGMA_HINT.exec(source.code)!
  const extension = /\.[^./]+$/.exec(path)?.[0] ?? 'this kind of'
  return source.error(
    'RV309',
    pragma.index,
    pragma.index + pragma[0].length,
    `The pragma is read in JavaScript, TypeScript and .astro files; ${extension} files are not supported yet.`,
    `load the data in a .js or .ts module and cache it there with \`withRevalidate(key, ttl, fetcher)\` from @revalidate/runtime, and leave ${extension} files out of the plugin's \`include\`.`,
  )
}

/** The pages router's revalidate constant, as runtimeNames names it. */
const ISR_NAME = /^__rv\d*_isr$/

/** The runtime a wrapped page imports: on Vercel, a page wrapped for want of ISR runs as on node. */
function runtimeOf(resolved: ResolvedOptions): string {
  return resolved.target === 'vercel' && resolved.runtime === '@revalidate/runtime/vercel' ? '@revalidate/runtime/node' : resolved.runtime
}

/** Local names for the runtime's exports that no binding, string or comment of the page uses. */
function runtimeNames(code: string): RuntimeNames & { prefix: string; cacheFunction: string; registerFunction: string } {
  let prefix = '__rv_'
  for (let n = 1; code.includes(prefix); n++) prefix = `__rv${n}_`
  return { prefix, cachePage: `${prefix}cachePage`, page: `${prefix}page`, context: `${prefix}ctx`, isr: `${prefix}isr`, cacheFunction: `${prefix}cacheFunction`, registerFunction: `${prefix}registerFunction` }
}

function functionNames(names: ReturnType<typeof runtimeNames>): FunctionNames {
  return { cacheFunction: names.cacheFunction, registerFunction: names.registerFunction, prefix: names.prefix }
}

function relativeTo(path: string, root: string): string {
  if (path.startsWith(`${root}/`)) return path.slice(root.length + 1)
  // Outside the root (another package of the workspace): `../shared/posts.ts`, the same on every
  // machine, and never the path of a module inside the root (`/shared/posts.ts` is not `shared/posts.ts`).
  if (path.startsWith('/') && root.startsWith('/')) return posix.relative(root, path)
  return path.replace(/^\/+/, '')
}

/** The page's module, below the project root and without its extension: the part of its key. */
function moduleOf(path: string, root: string): string {
  return relativeTo(path, root).replace(/\.[^./]+$/, '')
}

function isTypeScript(path: string): boolean {
  return /\.([mc]?tsx?|astro)$/.test(path)
}

/** Output of an earlier pass carries the runtime import under its local name. */
function wrappedAlready(program: Program, options: ResolvedOptions): boolean {
  const runtime = runtimeOf(options)
  return program.body.some(
    (statement) =>
      statement.type === 'ImportDeclaration' &&
      statement.source.value === runtime &&
      statement.specifiers.some((specifier) => specifier.type === 'ImportSpecifier' && /^__rv\d*_(cachePage|cacheFunction)$/.test(specifier.local.name)),
  )
}
