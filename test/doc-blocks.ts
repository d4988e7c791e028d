// The code blocks of README.md and docs/ as code: each TypeScript or JavaScript block is a module
// of a small app made of the blocks around it, type-checked against the packages with the
// TypeScript compiler API (in memory, over the workspace's tsconfig.json settings); a block with a
// pragma, and every `.astro` block, is compiled with our transform.
//
// A block says what it is in its fence's info string, after the language:
//
//   ```tsx app/routes/post.tsx        the file it is (or a first line `// app/routes/post.tsx`)
//   ```ts fails                       a page the compiler refuses (in diagnostics.md: with the
//                                     section's message)
//   ```tsx compiled target=vercel     what the compiler makes of the block before it, for a target
//   ```ts partial: <why>              deliberately not whole: skipped, with the reason counted
//
// Blocks of one `##` section share a folder, so one can import another (`./db`, `@/lib/posts`).
// An app module that no block of the section shows is one of test/docs-app/ when its name is one
// of theirs (`db`, `posts`); the types a framework generates for an app (React Router's
// `./+types/<route>`, SvelteKit's `./$types`, TanStack's route tree) are written the way the
// framework writes them, for the blocks' routes.
import { basename, join, posix, relative } from 'node:path'
import ts from 'typescript'
import { transform, type TransformOptions } from '../packages/plugin/src/index.js'
import type { CodeBlock, Page } from './markdown.js'
import { ROOT } from './markdown.js'

/** Languages whose blocks are type-checked. */
const SCRIPT_LANGS = new Set(['ts', 'tsx', 'js', 'jsx', 'mjs', 'mts', 'cjs', 'cts'])
/** Where the blocks live while they are checked (never written to disk). */
const VIRTUAL_ROOT = join(ROOT, '.docs-check')
/** App modules a block may import without the page showing them: test/docs-app/<name>.ts. */
const STAND_INS = new Set(['db', 'posts', 'session', 'shop'])
/**
 * Packages the docs name that this workspace does not install (each one a set-up's own, too large
 * to install for a type-check): declared here with the part of their API the docs use, as their
 * own types declare it. Any other package a block imports must be installed.
 */
export const NOT_INSTALLED: Record<string, string> = {
  '@cloudflare/vite-plugin': `export function cloudflare(options?: object): import('vite').Plugin[]`,
  '@supabase/ssr': `export interface CookieToSet { name: string; value: string; options: Record<string, unknown> }
    export function createServerClient(url: string, key: string, options: { cookies: { getAll(): { name: string; value: string }[]; setAll(cookies: CookieToSet[]): void } }): { auth: { getUser(): Promise<{ data: { user: { email?: string } | null } }> } }`,
  '@builder.io/qwik': `export function component$<P = {}>(render: (props: P) => unknown): (props: P) => unknown`,
  '@builder.io/qwik-city': `export interface RequestEvent { params: Record<string, string>; url: URL; request: Request }
    export function routeLoader$<T>(load: (event: RequestEvent) => Promise<T> | T): () => { readonly value: T }`,
  '@builder.io/qwik-city/vite': `export function qwikCity(options?: object): import('vite').Plugin`,
  '@builder.io/qwik/optimizer': `export function qwikVite(options?: object): import('vite').Plugin`,
}
/** Import aliases of the frameworks' templates, as folders of the block's app. */
const ALIASES: [prefix: string, folders: string[]][] = [
  ['@/', ['src/', '']],
  ['~/', ['app/', 'src/']],
  ['$lib/', ['src/lib/']],
  ['#lib/', ['src/lib/']],
]

export interface Snippet {
  page: string
  block: CodeBlock
  /** script: type-checked (and compiled when it has a pragma); astro: compiled; other: read by people only. */
  kind: 'script' | 'astro' | 'other'
  /** The file the block is, relative to its app. */
  path: string
  /** The folder of the block's app (absolute, virtual). */
  app: string
  partial?: string
  fails: boolean
  compiled: boolean
  /** Transform options of the fence (`target=vercel`, `nextCacheComponents=true`). */
  options: TransformOptions
}

const PATH_TOKEN = /^[\w.$@()[\]+\-/]+\.(?:[mc]?[jt]sx?|astro|json|jsonc)$/
const PATH_COMMENT = /^\/\/ ([\w.$@()[\]+\-/]+\.(?:[mc]?[jt]sx?))(?=[\s,:]|$)/

function extensionOf(lang: string): string {
  return lang === 'astro' ? 'astro' : lang
}

/** Every block of the pages, placed in its app. */
export function snippetsOf(pages: Page[]): Snippet[] {
  const snippets: Snippet[] = []
  for (const page of pages) {
    const taken = new Map<string, Set<string>>() // app folder -> paths in it
    let sectionIndex = -1
    let section: string | undefined
    let blockIndex = 0
    for (const block of page.blocks) {
      if (block.section !== section) {
        section = block.section
        sectionIndex++
      }
      blockIndex++
      const words = block.info.split(/\s+/).filter(Boolean)
      const partialAt = block.info.search(/\bpartial\b/)
      const partial = partialAt === -1 ? undefined : block.info.slice(partialAt + 'partial'.length).replace(/^[:\s]+/, '').trim()
      const kind = SCRIPT_LANGS.has(block.lang) ? 'script' : block.lang === 'astro' ? 'astro' : 'other'
      const path =
        words.find((word) => PATH_TOKEN.test(word)) ??
        PATH_COMMENT.exec(block.code)?.[1] ??
        `block-${blockIndex}.${extensionOf(block.lang)}`
      // One folder per section; a second block of the same path starts another.
      let app = join(VIRTUAL_ROOT, page.path.replace(/\.md$/, ''), String(sectionIndex))
      for (let n = 2; taken.get(app)?.has(path); n++) app = join(VIRTUAL_ROOT, page.path.replace(/\.md$/, ''), `${sectionIndex}~${n}`)
      if (!taken.has(app)) taken.set(app, new Set())
      taken.get(app)!.add(path)
      const options = Object.fromEntries(
        words.flatMap((word) => (/^\w+=/.test(word) ? [word.split('=') as [string, string]] : [])).map(([name, value]) => [name, value === 'true' ? true : value === 'false' ? false : value]),
      ) as TransformOptions
      snippets.push({ page: page.path, block, kind, path, app, partial, fails: words.includes('fails'), compiled: words.includes('compiled'), options })
    }
  }
  return snippets
}

/** Where `line` of a block's code is in its page. */
export const where = (snippet: Snippet, line = 0) => `${snippet.page}:${snippet.block.line + 1 + line}`

// ---------------------------------------------------------------------------------------------
// Resolving the app's modules

const SCRIPT_EXTENSIONS = ['', '.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '/index.ts', '/index.tsx', '/index.js']

/** The candidates an app-relative specifier (`./db`, `@/lib/posts`) may name, as app paths. */
function appPathsFor(specifier: string, importerPath: string): string[] | undefined {
  if (specifier.startsWith('./') || specifier.startsWith('../')) return [posix.join(posix.dirname(importerPath), specifier)]
  for (const [prefix, folders] of ALIASES) if (specifier.startsWith(prefix)) return folders.map((folder) => folder + specifier.slice(prefix.length))
  return undefined
}

/** The stand-in module for an app module a page does not show (`../../lib/posts.server` -> posts). */
function standInFor(specifier: string): string | undefined {
  const name = basename(specifier).replace(/\.(server|js|ts)$/g, '').replace(/\.server$/, '')
  return STAND_INS.has(name) ? join(ROOT, 'test/docs-app', `${name}.ts`) : undefined
}

/**
 * An app: its blocks' files, and the files the frameworks would generate for them. A module that
 * none of its blocks is may be a block of an earlier section of the same page (a page shows
 * `app/routes.ts` under "Set-up", the route under "A cached route").
 */
class App {
  readonly files = new Map<string, string>() // app path -> code
  constructor(
    readonly folder: string,
    /** The apps of the page's earlier sections, nearest first. */
    readonly earlier: App[],
  ) {}

  /** The app and path of the module `specifier` names, from a module of this app at `importerPath`. */
  locate(specifier: string, importerPath: string): { app: App; path: string } | undefined {
    for (const app of [this, ...this.earlier]) {
      const path = app.own(specifier, importerPath)
      if (path !== undefined) return { app, path }
    }
    return undefined
  }

  /** A file of the page's apps, this one first. */
  file(path: string): string | undefined {
    for (const app of [this, ...this.earlier]) if (app.files.has(path)) return app.files.get(path)
    return undefined
  }

  private own(specifier: string, importerPath: string): string | undefined {
    for (const written of appPathsFor(specifier, importerPath) ?? []) {
      // `./post.js` names `post.ts` or `post.tsx` too, as TypeScript reads it.
      for (const base of [written, written.replace(/\.[mc]?jsx?$/, '')]) {
        for (const extension of SCRIPT_EXTENSIONS) {
          const candidate = posix.normalize(base + extension)
          if (this.files.has(candidate)) return candidate
        }
      }
    }
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Types the frameworks generate for an app

/** React Router's `app/routes/+types/<route>.ts`, as `react-router typegen` writes it (params from routes.ts). */
function reactRouterTypes(app: App, routePath: string): string {
  const name = basename(routePath).replace(/\.[jt]sx?$/, '')
  const routesConfig = app.file('app/routes.ts') ?? ''
  const pattern = new RegExp(`(?:route|index)\\(\\s*'([^']*)'\\s*,\\s*'(?:\\./)?routes/${name.replace(/[$.]/g, '\\$&')}\\.[jt]sx?'`).exec(routesConfig)?.[1]
  const params = pattern !== undefined ? [...pattern.matchAll(/:(\w+)/g)].map((match) => match[1]!) : [...name.matchAll(/\$(\w+)/g)].map((match) => match[1]!)
  return `import type { ActionFunctionArgs, LoaderFunctionArgs, MiddlewareFunction } from 'react-router'
type Params = { ${params.map((param) => `${param}: string`).join('; ')} }
type Module = typeof import('../${name}.js')
type LoaderData = Module extends { loader: (...args: any[]) => infer Result } ? Awaited<Result> : undefined
export namespace Route {
  export type LoaderArgs = Omit<LoaderFunctionArgs, 'params'> & { params: Params }
  export type ActionArgs = Omit<ActionFunctionArgs, 'params'> & { params: Params }
  export type ComponentProps = { params: Params; loaderData: LoaderData }
  export type MiddlewareFunction = import('react-router').MiddlewareFunction<Response>
}
`
}

/** SvelteKit's `./$types` for a route folder, as `svelte-kit sync` writes it (params from `[name]` folders). */
function svelteKitTypes(routeFolder: string): string {
  const params = [...routeFolder.matchAll(/\[(?:\.\.\.)?(\w+)\]/g)].map((match) => match[1]!)
  const id = `/${routeFolder.replace(/^src\/routes\/?/, '')}`.replace(/\/$/, '') || '/'
  return `import type * as Kit from '@sveltejs/kit'
type RouteParams = { ${params.map((param) => `${param}: string`).join('; ')} }
type RouteId = '${id}'
export type PageServerLoad = Kit.ServerLoad<RouteParams, Record<string, any>, Record<string, any> | void, RouteId>
export type LayoutServerLoad = Kit.ServerLoad<RouteParams, Record<string, any>, Record<string, any> | void, RouteId>
export type PageLoad = Kit.Load<RouteParams, Record<string, any> | null, Record<string, any>, Record<string, any> | void, RouteId>
export type LayoutLoad = Kit.Load<RouteParams, Record<string, any> | null, Record<string, any>, Record<string, any> | void, RouteId>
export type RequestHandler = Kit.RequestHandler<RouteParams, RouteId>
export type Actions = Kit.Actions<RouteParams, Record<string, any> | void, RouteId>
export type PageServerLoadEvent = Parameters<PageServerLoad>[0]
`
}

/** TanStack Router's `src/routeTree.gen.ts`, as its generator writes it, for the apps' `createFileRoute` calls. */
function tanStackRouteTree(routes: [route: string, appPath: string][]): string {
  const entries = routes.map(
    ([route, appPath], index) =>
      `    '${route}': { id: '${route}'; path: '${route}'; fullPath: '${route}'; preLoaderRoute: typeof import('./${appPath.replace(/^src\//, '').replace(/\.tsx?$/, '.js')}').Route; parentRoute: Root }`,
  )
  return `import type { createRootRoute } from '@tanstack/react-router'
type Root = ReturnType<typeof createRootRoute>
declare module '@tanstack/react-router' {
  interface FileRoutesByPath {
${entries.join('\n')}
  }
}
export {}
`
}

/** Adds to each app the files its frameworks would have generated. */
function addGeneratedTypes(app: App): void {
  const tanStackRoutes: [string, string][] = []
  for (const [path, code] of [...app.files]) {
    if (/^app\/routes\/[^/]+\.[jt]sx?$/.test(path) && code.includes('./+types/')) {
      app.files.set(`app/routes/+types/${basename(path).replace(/\.[jt]sx?$/, '')}.ts`, reactRouterTypes(app, path))
    }
    if (path.startsWith('src/routes/') && code.includes("'./$types'")) app.files.set(`${posix.dirname(path)}/$types.d.ts`, svelteKitTypes(posix.dirname(path)))
    for (const match of code.matchAll(/createFileRoute\('([^']+)'\)/g)) tanStackRoutes.push([match[1]!, path])
  }
  if (tanStackRoutes.length > 0) app.files.set('src/routeTree.gen.ts', tanStackRouteTree(tanStackRoutes))
  // Astro's generated types bring its virtual modules (`astro:middleware`, ...).
  if ([...app.files.values()].some((code) => /from 'astro:/.test(code))) app.files.set('src/env.d.ts', '/// <reference types="astro/client" />\n')
}

// ---------------------------------------------------------------------------------------------
// Compiling pragma examples

export interface Compiled {
  code?: string
  /** The compile error's message without its location (`RevalidateError.description`), first line. */
  error?: string
}

export function compileSnippet(snippet: Snippet, apps: Map<string, App>, options: TransformOptions = snippet.options): Compiled {
  const app = apps.get(snippet.app)!
  const id = (path: string) => `/app/${path}`
  try {
    const result = transform(snippet.block.code, id(snippet.path), {
      target: 'node',
      ...options,
      root: '/app',
      resolveImport: (specifier, importer) => {
        const found = app.locate(specifier, importer.replace(/^\/app\//, ''))
        return found === undefined || found.path.endsWith('.d.ts') ? undefined : { id: id(found.path), code: found.app.files.get(found.path)! }
      },
    })
    return { code: result?.code }
  } catch (error) {
    const description = (error as { description?: string }).description
    if (description === undefined) throw error
    return { error: description.split('\n')[0]! }
  }
}

/** The apps of the snippets, with their generated files. */
export function appsOf(snippets: Snippet[]): Map<string, App> {
  const apps = new Map<string, App>()
  const ofPage = new Map<string, App[]>() // page -> its apps, latest first
  for (const snippet of snippets) {
    if (snippet.kind === 'other' || snippet.partial !== undefined || snippet.compiled) continue
    let app = apps.get(snippet.app)
    if (app === undefined) {
      const earlier = ofPage.get(snippet.page) ?? []
      apps.set(snippet.app, (app = new App(snippet.app, [...earlier])))
      ofPage.set(snippet.page, [app, ...earlier])
    }
    app.files.set(snippet.path, snippet.block.code)
  }
  for (const app of apps.values()) addGeneratedTypes(app)
  return apps
}

// ---------------------------------------------------------------------------------------------
// Type-checking

function baseOptions(): ts.CompilerOptions {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')) } })!
  return {
    ...config.options,
    // What an app on Vite or Next (the readers of these docs) compiles with:
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    jsx: ts.JsxEmit.ReactJSX,
    allowJs: true,
    checkJs: true,
    resolveJsonModule: true,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    composite: false,
    incremental: false,
  }
}

export interface TypeError {
  where: string
  message: string
}

function extensionOfFile(file: string): ts.Extension {
  if (file.endsWith('.d.ts')) return ts.Extension.Dts
  const extension = /\.[^./]+$/.exec(file)![0]
  return ({ '.ts': ts.Extension.Ts, '.tsx': ts.Extension.Tsx, '.js': ts.Extension.Js, '.jsx': ts.Extension.Jsx, '.mjs': ts.Extension.Mjs, '.mts': ts.Extension.Mts, '.cjs': ts.Extension.Cjs, '.cts': ts.Extension.Cts } as Record<string, ts.Extension>)[extension] ?? ts.Extension.Ts
}

/** The libraries a block asks for (`/// <reference lib="webworker" />`): such blocks get a program of their own. */
const libsOf = (code: string) => [...code.matchAll(/^\/\/\/ <reference lib="([^"]+)" \/>/gm)].map((match) => match[1]!).sort().join(',')

/**
 * Type-checks every script snippet (not partial, not compiled output, not in `skip`); returns the
 * errors, located in the pages.
 */
export function typeCheck(snippets: Snippet[], apps: Map<string, App>, skip: ReadonlySet<Snippet> = new Set()): TypeError[] {
  const options = baseOptions()
  const virtual = new Map<string, string>() // absolute path -> code
  const origin = new Map<string, Snippet>() // absolute path -> the block it is
  const skipped = new Set([...skip].map((snippet) => join(snippet.app, snippet.path)))
  for (const app of apps.values()) for (const [path, code] of app.files) virtual.set(join(app.folder, path), code)
  for (const snippet of snippets) if (snippet.kind === 'script' && snippet.partial === undefined && !snippet.compiled) origin.set(join(snippet.app, snippet.path), snippet)
  const notInstalled = join(VIRTUAL_ROOT, 'not-installed.d.ts')
  virtual.set(notInstalled, Object.entries(NOT_INSTALLED).map(([name, api]) => `declare module '${name}' {\n${api}\n}`).join('\n'))

  const host = ts.createCompilerHost(options)
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file)
  host.readFile = (file) => virtual.get(file) ?? readFile.call(host, file)
  host.getSourceFile = (file, language, onError, create) => {
    const code = virtual.get(file)
    return code === undefined ? getSourceFile.call(host, file, language, onError, create) : ts.createSourceFile(file, code, language, true)
  }
  const frameworkFolders = ['frameworks/react-router', 'frameworks/sveltekit', 'frameworks/astro', 'frameworks/tanstack-start'].map((folder) => join(ROOT, folder, 'package.json'))
  host.resolveModuleNameLiterals = (literals, containingFile, _redirected, compilerOptions) =>
    literals.map((literal) => {
      const specifier = literal.text
      const resolve = (name: string, from: string) => ts.resolveModuleName(name, from, compilerOptions, host)
      const app = [...apps.values()].find((candidate) => containingFile.startsWith(`${candidate.folder}/`))
      if (app !== undefined && appPathsFor(specifier, relative(app.folder, containingFile)) !== undefined) {
        const found = app.locate(specifier, relative(app.folder, containingFile))
        const file = found === undefined ? standInFor(specifier) : join(found.app.folder, found.path)
        return { resolvedModule: file === undefined ? undefined : { resolvedFileName: file, extension: extensionOfFile(file), isExternalLibraryImport: false } }
      }
      const direct = resolve(specifier, containingFile)
      if (direct.resolvedModule !== undefined) return direct
      for (const folder of frameworkFolders) {
        const fromFramework = resolve(specifier, folder)
        if (fromFramework.resolvedModule !== undefined) return fromFramework
      }
      return direct
    })

  const groups = new Map<string, string[]>()
  for (const file of virtual.keys()) {
    if (!/\.[mc]?[jt]sx?$/.test(file) || skipped.has(file)) continue
    const libs = libsOf(virtual.get(file)!)
    groups.set(libs, [...(groups.get(libs) ?? []), file])
  }
  const errors: TypeError[] = []
  const cloudflareTypes = join(ROOT, 'packages/runtime/src/cloudflare/workers.d.ts')
  for (const [libs, files] of groups) {
    // A block that asks for other libraries (a service worker's) replaces the DOM and Node with them.
    const groupOptions = libs === '' ? options : { ...options, lib: ['lib.es2022.d.ts'], types: [] }
    const roots = libs === '' ? [...files, notInstalled, cloudflareTypes] : files
    const program = ts.createProgram({ rootNames: roots, options: groupOptions, host })
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const file = diagnostic.file?.fileName
      const snippet = file === undefined ? undefined : origin.get(file)
      const message = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`
      if (snippet === undefined) {
        errors.push({ where: file === undefined ? '(program)' : relative(ROOT, file), message })
        continue
      }
      const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
      errors.push({ where: where(snippet, line), message })
    }
  }
  return errors
}
