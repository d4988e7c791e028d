/**
 * The URLs given for dynamic routes, from each source the command takes:
 *
 *   --urls urls.txt              one URL or path per line; blank lines and `# comments` skipped
 *   --sitemap sitemap.xml        the <loc> entries of a sitemap (a file or an http(s) URL; gzipped
 *                                or not), or of every sitemap a sitemap index lists
 *   --urls-module urls.mjs       export default async function () { return ['/posts/a', ...] }
 *
 * A source that cannot be read, or holds something that is no URL, is a WarmError naming the
 * source (and the line).
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gunzipSync } from 'node:zlib'
import type { WarmOptions } from './args.js'
import { reasonOf, WarmError } from './errors.js'
import { parseSitemap } from './sitemap.js'

/** Every URL or path the sources give, in their order. */
export async function readGivenUrls(options: Pick<WarmOptions, 'urlFiles' | 'sitemaps' | 'urlModules' | 'timeoutMs' | 'headers'>): Promise<string[]> {
  const urls: string[] = []
  for (const file of options.urlFiles) urls.push(...urlsOfFile(file))
  for (const sitemap of options.sitemaps) urls.push(...(await urlsOfSitemap(sitemap, options)))
  for (const module of options.urlModules) urls.push(...(await urlsOfModule(module)))
  return urls
}

function urlsOfFile(file: string): string[] {
  const text = readBytes(file, '--urls').toString('utf8').replace(/^\uFEFF/, '')
  const urls: string[] = []
  text.split(/\r?\n/).forEach((line, index) => {
    const url = line.replace(/(^|\s)#.*$/, '').trim()
    if (url === '') return
    if (!isUrlOrPath(url)) throw new WarmError(`${file}:${index + 1}: ${JSON.stringify(url)} is neither a URL nor a path starting with "/".`)
    urls.push(url)
  })
  return urls
}

type Download = Pick<WarmOptions, 'timeoutMs' | 'headers'>

async function urlsOfSitemap(source: string, download: Download): Promise<string[]> {
  const sitemap = parseSitemap(await readSitemap(source, download), source)
  if (sitemap.kind === 'urlset') return sitemap.locs
  const urls: string[] = []
  for (const child of sitemap.locs) {
    const listed = parseSitemap(await readSitemap(child, download), child)
    if (listed.kind === 'index') throw new WarmError(`${child}, listed by the sitemap index ${source}, is an index itself; an index lists sitemaps of URLs.`)
    urls.push(...listed.locs)
  }
  return urls
}

/** A sitemap's text, from an http(s) URL or a file; gzipped ones (`sitemap.xml.gz`) unpacked. */
async function readSitemap(source: string, download: Download): Promise<string> {
  const bytes = /^https?:\/\//i.test(source) ? await downloaded(source, download) : readBytes(source, '--sitemap')
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes.toString('utf8')
  try {
    return gunzipSync(bytes).toString('utf8')
  } catch (error) {
    throw new WarmError(`the sitemap ${source} is gzipped but cannot be unpacked (${reasonOf(error)}).`)
  }
}

/** A sitemap on the site: with the headers given (a protected deployment's bypass), not marked as a warm-up. */
async function downloaded(url: string, { timeoutMs, headers }: Download): Promise<Buffer> {
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/xml, text/xml, */*', ...headers } })
    if (!response.ok) {
      await response.body?.cancel()
      throw new WarmError(`the sitemap ${url} answered ${response.status} ${response.statusText}.`)
    }
    return Buffer.from(await response.arrayBuffer())
  } catch (error) {
    if (error instanceof WarmError) throw error
    throw new WarmError(`cannot read the sitemap ${url}: ${reasonOf(error)}.`)
  }
}

async function urlsOfModule(file: string): Promise<string[]> {
  let module: Record<string, unknown>
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new WarmError(code === 'ERR_MODULE_NOT_FOUND' && !existsSync(file) ? `--urls-module ${file}: no such file.` : `--urls-module ${file} cannot be loaded: ${reasonOf(error)}`)
  }
  const urlsOf = module.default ?? module.urls
  if (typeof urlsOf !== 'function') throw new WarmError(`--urls-module ${file} must export a function as its default export (or as \`urls\`) that returns the URLs.`)
  let given: unknown
  try {
    given = await (urlsOf as () => unknown)()
  } catch (error) {
    throw new WarmError(`--urls-module ${file}: its function threw: ${reasonOf(error)}`)
  }
  if (typeof given === 'string' || typeof (given as Iterable<unknown> | null)?.[Symbol.iterator] !== 'function') {
    throw new WarmError(`--urls-module ${file}: its function must return a list of URLs (strings or URL objects), got ${describe(given)}.`)
  }
  return [...(given as Iterable<unknown>)].map((item, index) => {
    const url = item instanceof URL ? item.href : item
    if (typeof url !== 'string' || !isUrlOrPath(url)) throw new WarmError(`--urls-module ${file}: item ${index} of the list, ${describe(item)}, is neither a URL nor a path starting with "/".`)
    return url
  })
}

function isUrlOrPath(text: string): boolean {
  return text.startsWith('/') ? !text.startsWith('//') : /^https?:\/\//i.test(text) && URL.canParse(text)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

function readBytes(file: string, option: string): Buffer {
  try {
    return readFileSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new WarmError(code === 'ENOENT' ? `${option} ${file}: no such file.` : `${option} ${file} cannot be read (${code ?? reasonOf(error)}).`)
  }
}

