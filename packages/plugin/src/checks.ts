/**
 * What cached page data must not do, found before anything is wrapped (flow/data-flow.ts finds the
 * reads; this file says which are errors, and how to fix them):
 *
 *   locals.user, cookies(), request.headers, Astro.locals, getUser(request)
 *     -> error: cached data is shared with every visitor, so a per-visitor read leaks
 *   url.searchParams.get('page') without `query page` in the pragma
 *     -> error: every query would get the first one's data
 *   return json(data), return redirect('/'), return new Response(...)
 *     -> error: a cached value must be data, not a Response
 *
 * A read found in another module of the app is reported at the page's call that leads there,
 * naming the module, line and code: "`createClient()` reads the visitor's cookies, where
 * `createClient()` in src/utils/supabase/server.ts:5 calls `cookies()`".
 */
import type { Node } from '@babel/types'
import { modulesOfPage, type AppModules, type ImportResolver } from './app-modules.js'
import { dataStatements, declaredIdentifiers } from './data-section.js'
import { DataFlow, type FlowReporter } from './flow/data-flow.js'
import type { Framework } from './frameworks/index.js'
import type { Page } from './page.js'
import type { PageData } from './page-data.js'
import type { Pragma } from './pragma.js'
import type { Shape } from './shapes.js'
import type { CachedFunctionSite } from './cached-functions.js'
import { FUNCTION_SHARED, functionQueryRead, functionVisitorFix } from './function-errors.js'

/** Why a per-visitor read is wrong: what is cached, and who gets it. Next.js caches the whole page. */
function sharedOf(framework: Framework): string {
  return framework.name === 'next'
    ? "Next.js caches the whole rendered page (ISR) and serves it to every visitor, so one visitor's data would be shown to all"
    : "a cached page's data is shared with every visitor, so one visitor's data would be served to all"
}

/**
 * Checks that the page's data is safe to share, following its code into the modules of the app
 * that `resolveImport` finds for its imports.
 */
export function checkPageData(page: Page, data: PageData, resolveImport: ImportResolver | undefined): void {
  const { scopes, framework, options } = page
  const modules = modulesOfPage(page, resolveImport)
  const reporter = new Checks(modules, page.pragma, sharedOf(framework))
  const flow = new DataFlow({ framework, modules, reporter, requestBound: options.requestBound })
  if (data.kind === 'loader') {
    let loaderInput = data.input
    if (data.deps) {
      // What `loaderDeps` reads of the query is what the loader depends on: its reads are the
      // page's. Deps it names itself (`{ p: search.page }`) are not query names; deps that hand
      // `search` on whole keep the query's names, so the loader's reads of them count.
      const unnamedBefore = reporter.unnamedQueryReads
      flow.loader(data.deps.fn, data.deps.input, scopes.module)
      if (reporter.unnamedQueryReads === unnamedBefore) loaderInput = data.deps.loaderInput
    }
    flow.loader(data.fn, loaderInput, scopes.module)
  } else {
    const statements = dataStatements(data.section)
    const returned = statements.flatMap(declaredIdentifiers)
    if (data.kind === 'page') flow.section(statements, scopes.enter(data.fn, scopes.module), data.fn, data.input, returned)
    else flow.section(statements, scopes.module, undefined, framework.pageProps, returned)
  }
  reporter.checkQueryReads()
}

/**
 * Checks that a function cached with a pragma reads nothing per visitor, with the same rules as
 * page data: its arguments are plain data (what it is called with is the caller's), so what it
 * can reach of the visitor is what it calls (`cookies()`, `getRequestEvent()`, a session helper).
 */
export function checkCachedFunction(page: Page, site: CachedFunctionSite, resolveImport: ImportResolver | undefined): void {
  const { scopes, framework, options } = page
  const modules = modulesOfPage(page, resolveImport)
  const reporter = new Checks(modules, site.pragma, FUNCTION_SHARED, site.name)
  new DataFlow({ framework, modules, reporter, requestBound: options.requestBound }).cachedFunction(site.fn, scopes.module)
}

interface QueryRead {
  node: Node
  /** The parameter name when the code names it (`searchParams.get('page')`, `{ page } = searchParams`). */
  name?: string
  via: readonly Node[]
}

/** Where a report is shown: a node of the page, and how the code reached the finding from there. */
interface Located {
  at: Node
  /** " (through `getTheme(request)` on line 12)" and ", where `createClient()` in src/x.ts:5 calls `cookies()`", or ''. */
  path: string
}

class Checks implements FlowReporter {
  readonly #reads: QueryRead[] = []
  readonly source

  constructor(
    readonly modules: AppModules,
    readonly pragma: Pragma,
    readonly shared: string,
    /** The cached function checked, when it is one rather than page data: it has no query to list. */
    readonly cachedFunction?: string,
  ) {
    this.source = modules.page.source
  }

  visitorRead(node: Node, shape: Extract<Shape, { kind: 'visitor' }>, via: readonly Node[]): void {
    const { at, path } = this.#locate(node, via)
    const code = this.#snippet(at)
    throw this.source.error(
      shape.code ?? 'RV201',
      at.start!,
      at.end!,
      `\`${code}\` reads ${shape.label}${path}, but ${shape.why ?? this.shared}.`,
      shape.fix ??
        (this.cachedFunction !== undefined ? functionVisitorFix(this.cachedFunction, code) : undefined) ??
        `read it outside the cached data (in the component, or in a loader without the pragma), or remove the pragma. If it is the same for every visitor, say so right before it: \`/* revalidate-safe: <why> */ ${code}\`.`,
    )
  }

  handedWhole(node: Node, shape: Shape, call: Node | undefined, via: readonly Node[]): void {
    const { at, path } = this.#locate(call ?? node, via)
    const code = this.#snippet(at)
    const what = describe(shape)
    const where = call ? `hands ${what} to code the compiler cannot follow` : `uses ${what} whole, where the compiler cannot follow it`
    throw this.source.error(
      'RV204',
      at.start!,
      at.end!,
      `\`${code}\` ${where}${path}: it may read the visitor's cookies, headers or session, and ${this.shared}.`,
      `pass only what it needs (\`params.slug\`, \`url.pathname\`), or read per-visitor data outside the cached data. If the call reads nothing that differs per visitor, say so right before it: \`/* revalidate-safe: <why> */ ${code}\`.`,
    )
  }

  queryRead(node: Node, name: string | undefined, via: readonly Node[]): void {
    if (this.cachedFunction !== undefined) {
      const { at, path } = this.#locate(node, via)
      throw functionQueryRead(this.source, at, this.#snippet(at), path, this.cachedFunction)
    }
    this.#reads.push({ node, name, via })
  }

  /** Reads of the query that name no parameter (`search` handed on whole), so far. */
  get unnamedQueryReads(): number {
    return this.#reads.filter((read) => read.name === undefined).length
  }

  returned(node: Node, shape: Shape | undefined): void {
    const response = firstResponse(shape)
    if (response === undefined) return
    throw this.source.error(
      'RV304',
      node.start!,
      node.end!,
      response.wraps
        ? `${this.#subject} returns ${response.label}, ${response.wraps}, but a cached value must be data: a class instance no store can keep, and its status and headers would be replayed to every visitor.`
        : `${this.#subject} returns ${response.label}, a Response, but a cached value must be data: a Response is not (and its body can be read only once, so the second visitor would get "Body is unusable").`,
      response.throwIt
        ? `throw it instead (\`throw ${response.label.replace(/\(\)$/, '(...)')}\`): a thrown value is never cached. Or return plain data.`
        : 'return the plain data (`return { post }`) and build the response outside the cached loader; a redirect or an error can be thrown, which is never cached.',
    )
  }

  get #subject(): string {
    return this.cachedFunction === undefined ? 'The loader' : `The cached function "${this.cachedFunction}"`
  }

  /** Every read of the query must be keyed: named reads listed in the pragma's `query`, and some list for the rest. */
  checkQueryReads(): void {
    const reads = this.#reads
    const [first] = reads
    if (first === undefined) return
    const { pragma, source } = this
    if (pragma.query.length === 0) {
      const named = [...new Set(reads.flatMap((read) => (read.name ? [read.name] : [])))]
      const { at, path } = this.#locate(first.node, first.via)
      throw source.error(
        'RV207',
        at.start!,
        at.end!,
        `The page data reads the query string at \`${this.#snippet(at)}\`${path}, but the pragma lists no query names, so every query would be served the first one's data.`,
        `list the names that change the data, e.g. \`// Pragma: revalidate ${pragma.ttl} query ${named.join(',') || 'page'}\`${first.name === undefined ? '; or hand on only the part of the URL it needs (`url.pathname`)' : ''}.`,
      )
    }
    const unlisted = reads.find((read) => read.name !== undefined && !pragma.query.includes(read.name))
    if (unlisted) {
      const { at, path } = this.#locate(unlisted.node, unlisted.via)
      throw source.error(
        'RV208',
        at.start!,
        at.end!,
        `The page data reads the query parameter "${unlisted.name}"${path}, which the pragma's query list (${pragma.query.join(',')}) leaves out, so its values would share one entry.`,
        `add it: \`query ${[...pragma.query, unlisted.name].join(',')}\`.`,
      )
    }
  }

  /**
   * Where a finding is shown. In the page: at the finding, " (through `getTheme(request)` on line
   * 12)" when the data code called a function to get there. In another module: at the page's call
   * that leads there, each step through the other modules named with its file and line.
   */
  #locate(node: Node, via: readonly Node[]): Located {
    const { modules } = this
    const steps = [...via, node]
    const away = steps.findIndex((step) => modules.ofNode(step) !== modules.page)
    // The page's own code leads to every finding (its call of another module's function comes first).
    const exit = away === -1 ? steps.length - 1 : Math.max(0, away - 1)
    const [first] = steps
    const through = exit > 0 ? ` (through \`${this.#snippet(first!)}\` on line ${this.source.locate(first!.start!).line})` : ''
    const elsewhere = steps.slice(exit + 1).map((step, index) => {
      const module = modules.ofNode(step)
      const caller = this.#snippet(steps[exit + index]!)
      const does = step.type === 'CallExpression' || step.type === 'OptionalCallExpression' || step.type === 'NewExpression' ? 'calls' : 'reads'
      return `\`${caller}\` in ${modules.nameOf(module)}:${module.source.locate(step.start!).line} ${does} \`${this.#snippet(step)}\``
    })
    return { at: steps[exit]!, path: through + (elsewhere.length > 0 ? `, where ${elsewhere.join(', and ')}` : '') }
  }

  #snippet(node: Node): string {
    const { code } = this.modules.ofNode(node).source
    const text = code.slice(node.start!, node.end!).replace(/\s+/g, ' ')
    return text.length > 48 ? `${text.slice(0, 45)}...` : text
  }
}

/** What a value handed on carries, for a message: "the request", "the load event (in an object)". */
function describe(shape: Shape): string {
  if (shape.kind === 'object' && shape.label === 'an object') {
    const inner = Object.values(shape.members).find((member) => member.kind === 'object' && member.whole === 'visitor')
    return inner ? `${describe(inner)} (inside an object)` : 'per-visitor data (inside an object)'
  }
  if (shape.kind === 'union') return describe(shape.shapes.find((member) => member.kind === 'object') ?? shape.shapes[0]!)
  if (shape.kind === 'promise') return describe(shape.of)
  return 'label' in shape ? shape.label : 'a per-visitor value'
}

function firstResponse(shape: Shape | undefined): Extract<Shape, { kind: 'response' }> | undefined {
  if (shape?.kind === 'response') return shape
  if (shape?.kind === 'union') return shape.shapes.map(firstResponse).find((found) => found !== undefined)
  return undefined
}
