/**
 * The manifest of cached routes a build writes, for tools that act on every cached page after a
 * deploy (`revalidate warm`). One per environment, in its build output:
 *
 *   dist/server/.revalidate/manifest.json        Vite: each environment's output directory
 *   .next/.revalidate/manifest.json              Next.js: its distDir
 *   {
 *     "version": 1,                              the format (this file's MANIFEST_VERSION)
 *     "plugin": "0.1.0",                         the @revalidate/plugin that wrote it
 *     "environment": "ssr",
 *     "routes": [
 *       { "route": "/posts/[slug]", "ttl": 300, "stale": null, "tags": ["posts"], "query": [],
 *         "version": "3f2a9c0d1e4b", "target": "node", "framework": "vite", "vercel": null,
 *         "source": "src/pages/posts/[slug].js" }
 *     ]
 *   }
 *
 * docs/warm-up.md documents every field: it is a public format. A change an older reader would
 * misread bumps MANIFEST_VERSION; readers refuse a version they do not know.
 *
 * Next.js compiles pages in workers and, over an existing `.next`, only the pages that changed
 * (Turbopack's and webpack's caches keep the rest, loader and all). So its loader writes down
 * each page it compiles as a record of its own, kept in `.next/cache` across builds, and the
 * build's manifest is every record whose page still exists and still has its pragma.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { SourceText } from './errors.js'
import { readHeader } from './pragma.js'
import type { CachedPage } from './transform.js'

export const MANIFEST_VERSION = 1
/** Where a build output's manifest is, relative to that output's directory. */
export const MANIFEST_FILE = '.revalidate/manifest.json'

export interface ManifestRoute {
  /** The route pattern, as the page's path gives it (`/posts/[slug]`) or its framework declares it (`/posts/:slug`). */
  route: string
  /** Seconds the page's data stays fresh. */
  ttl: number
  /** Seconds past the ttl it may be served stale (the pragma's `stale`); null: the runtime's default. */
  stale: number | null
  tags: string[]
  /** Query parameter names that vary the data (the pragma's `query`). */
  query: string[]
  /** The hash of the page's data code its entries are stored under; null where Vercel's ISR caches the page. */
  version: string | null
  target: CachedPage['target']
  framework: CachedPage['framework']
  /** On target vercel: how Vercel's ISR was handed the page, or `wrapped` (cached as on node); else null. */
  vercel: string | null
  /** The page's file, relative to the project root, with `/`. */
  source: string
}

export interface Manifest {
  version: typeof MANIFEST_VERSION
  plugin: string
  /** The Vite environment the routes were compiled for (`ssr`, `client`, ...); `next` for Next.js. */
  environment: string
  /** Sorted by route, then source. */
  routes: ManifestRoute[]
}

const PLUGIN_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

export function manifestRoute(page: CachedPage, file: string, root: string): ManifestRoute {
  return {
    route: page.route,
    ttl: page.ttl,
    stale: page.staleSeconds ?? null,
    tags: page.tags,
    query: page.query,
    version: page.version ?? null,
    target: page.target,
    framework: page.framework,
    vercel: page.vercel ?? null,
    source: relative(root, file).replaceAll('\\', '/'),
  }
}

/** The manifest of one build environment's pages (keyed by file), in its output directory; returns its path. */
export function writeBuildManifest(dir: string, environment: string, pages: ReadonlyMap<string, CachedPage>, root: string): string {
  return writeManifest(dir, environment, [...pages].map(([file, page]) => manifestRoute(page, file, root)))
}

/** Writes `<dir>/.revalidate/manifest.json`; returns its path. */
export function writeManifest(dir: string, environment: string, routes: readonly ManifestRoute[]): string {
  const sorted = [...routes].sort((a, b) => a.route.localeCompare(b.route) || a.source.localeCompare(b.source))
  const manifest: Manifest = { version: MANIFEST_VERSION, plugin: PLUGIN_VERSION, environment, routes: sorted }
  const path = join(dir, MANIFEST_FILE)
  writeAtomically(path, `${JSON.stringify(manifest, null, 2)}\n`)
  return path
}

/** A manifest that cannot be used, with a message that names the file and what is wrong. */
export class ManifestError extends Error {
  override name = 'ManifestError'
}

/** Reads and checks a manifest; a missing, foreign or damaged one is a ManifestError. */
export function readManifest(path: string): Manifest {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ManifestError(code === 'ENOENT' ? `${path} does not exist.` : `${path} cannot be read (${code ?? String(error)}).`)
  }
  let manifest: unknown
  try {
    manifest = JSON.parse(text)
  } catch {
    throw new ManifestError(`${path} is not JSON; rebuild the app to write it again.`)
  }
  const version = (manifest as { version?: unknown } | null)?.version
  if (typeof version !== 'number') throw new ManifestError(`${path} is not a revalidate manifest (it has no "version").`)
  if (version !== MANIFEST_VERSION) {
    const writer = (manifest as { plugin?: unknown }).plugin
    throw new ManifestError(
      `${path} is manifest format ${version}${typeof writer === 'string' ? ` (@revalidate/plugin ${writer})` : ''}; this @revalidate/plugin (${PLUGIN_VERSION}) reads format ${MANIFEST_VERSION}: rebuild the app with this version, or run the warm command of the version that built it.`,
    )
  }
  const problem = problemOf(manifest as Record<string, unknown>)
  if (problem !== undefined) throw new ManifestError(`${path} is damaged: ${problem}; rebuild the app to write it again.`)
  return manifest as Manifest
}

function problemOf(manifest: Record<string, unknown>): string | undefined {
  if (typeof manifest.environment !== 'string') return '"environment" is not a string'
  if (!Array.isArray(manifest.routes)) return '"routes" is not an array'
  for (const [index, entry] of (manifest.routes as unknown[]).entries()) {
    const route = entry as Partial<Record<keyof ManifestRoute, unknown>> | null
    const where = `routes[${index}]`
    if (typeof route !== 'object' || route === null) return `${where} is not an object`
    if (typeof route.route !== 'string' || !route.route.startsWith('/')) return `${where}.route is not a path starting with "/"`
    if (typeof route.ttl !== 'number' || !(route.ttl > 0)) return `${where}.ttl is not a number of seconds`
    if (typeof route.target !== 'string') return `${where}.target is not a string`
    if (typeof route.source !== 'string') return `${where}.source is not a string`
    if (!isStringArray(route.query) || !isStringArray(route.tags)) return `${where}.query or .tags is not a list of strings`
  }
  return undefined
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

/** Writes a whole file or nothing: a reader (or another worker writing the same file) never sees half of it. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  writeFileSync(temporary, text)
  renameSync(temporary, path)
}

/** Writes down one compiled page (Next.js's loader, in any of its workers): one file per page file. */
export function recordCompiledPage(recordsDir: string, route: ManifestRoute): void {
  const name = createHash('sha256').update(route.source).digest('hex').slice(0, 16)
  writeAtomically(join(recordsDir, `${name}.json`), JSON.stringify(route))
}

/**
 * Every page written down in `recordsDir`, by this build or an earlier one over the same cache,
 * that still exists below `root` with a pragma; the records of the others are removed.
 */
export function recordedPages(recordsDir: string, root: string): ManifestRoute[] {
  let files: string[]
  try {
    files = readdirSync(recordsDir).filter((file) => file.endsWith('.json'))
  } catch {
    return [] // no page has the pragma
  }
  const routes: ManifestRoute[] = []
  for (const file of files) {
    const record = join(recordsDir, file)
    const route = readRecord(record)
    if (route !== undefined && hasPragma(join(root, route.source))) routes.push(route)
    else rmSync(record, { force: true })
  }
  return routes
}

function readRecord(path: string): ManifestRoute | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ManifestRoute
  } catch {
    return undefined
  }
}

/** Whether the file exists and its header has a pragma (a page whose pragma was removed is compiled as a plain page). */
function hasPragma(file: string): boolean {
  try {
    return readHeader(new SourceText(readFileSync(file, 'utf8'), file)).pragma !== null
  } catch {
    return false // gone, or a pragma the build rejects
  }
}
