/**
 * The command line of `revalidate warm`:
 *
 *   revalidate warm http://localhost:3000 --sitemap dist/client/sitemap.xml --concurrency 8
 *   -> { base: URL('http://localhost:3000/'), sitemaps: ['dist/client/sitemap.xml'], concurrency: 8, ... }
 *
 * A mistake is a WarmError (exit code 2) naming the option and what it takes.
 */
import { parseArgs } from 'node:util'
import { closest } from '../did-you-mean.js'
import { WarmError } from './errors.js'

export interface WarmOptions {
  /** The site to warm; its path (if any) is the prefix of every route. Ends with `/`. */
  base: URL
  /** Manifests or folders holding one (`.revalidate/manifest.json`); none: looked for under the current directory. */
  manifests: string[]
  urlFiles: string[]
  sitemaps: string[]
  urlModules: string[]
  /** @default 4 */
  concurrency: number
  /** Per request, in milliseconds. @default 30 s */
  timeoutMs: number
  /** Retries of a 5xx, a 429 or a network error. @default 2 */
  retries: number
  /** Sent with every request (a deployment's protection bypass, say), besides `x-revalidate-warm: 1`. */
  headers: Record<string, string>
  json: boolean
}

export const DEFAULT_CONCURRENCY = 4
export const DEFAULT_TIMEOUT_SECONDS = 30
export const DEFAULT_RETRIES = 2
/** A day: timers hold no more than about 49 days, and no page takes longer than this to answer. */
const MAX_TIMEOUT_SECONDS = 86_400

export const WARM_HELP = `Usage: revalidate warm <base-url> [options]

Requests every cached route of the build (listed in its manifest) on <base-url>, so that the
first visitors after a deploy or a restart find the cache warm. Dynamic routes are warmed with
the URLs you give (--sitemap, --urls, --urls-module).

Options:
  --manifest <path>       the build's manifest, or the build folder holding it; may be repeated
                          (default: .revalidate/manifest.json found under dist/, build/, .next/)
  --sitemap <url|file>    URLs for dynamic routes, from a sitemap's <loc> entries; may be repeated
  --urls <file>           URLs for dynamic routes, one per line (# starts a comment); may be repeated
  --urls-module <file>    a module whose default export is a function returning the URLs (or a promise of them)
  --concurrency <n>       requests at once (default ${DEFAULT_CONCURRENCY})
  --timeout <seconds>     longest a request may take (default ${DEFAULT_TIMEOUT_SECONDS})
  --retries <n>           retries of a 5xx, a 429 or a network error, with backoff (default ${DEFAULT_RETRIES})
  --header <name: value>  a header sent with every request (e.g. a protection bypass); may be repeated
  --json                  print one JSON summary, and nothing else, on stdout
  -h, --help              show this help

Exit code: 0 when every request succeeded, 1 when one failed (or the site cannot be reached),
2 for bad usage or input (options, manifest, sitemap, URL lists).
Docs: https://github.com/revalidate/revalidate/blob/main/docs/warm-up.md
`

const OPTIONS = {
  manifest: { type: 'string', multiple: true },
  sitemap: { type: 'string', multiple: true },
  urls: { type: 'string', multiple: true },
  'urls-module': { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  header: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** The options, or 'help' when help was asked for. */
export function parseWarmArgs(argv: readonly string[]): WarmOptions | 'help' {
  const { values, positionals } = parse(argv)
  if (values.help) return 'help'
  if (positionals.length === 0) throw new WarmError('give the address of the site to warm: `revalidate warm <base-url>`, e.g. `revalidate warm http://localhost:3000` (--help lists the options).')
  if (positionals.length > 1) throw new WarmError(`one base URL is expected, got ${positionals.length}: ${positionals.map((arg) => JSON.stringify(arg)).join(' ')}.`)
  return {
    base: baseUrl(positionals[0]!),
    manifests: values.manifest ?? [],
    urlFiles: values.urls ?? [],
    sitemaps: values.sitemap ?? [],
    urlModules: values['urls-module'] ?? [],
    concurrency: wholeNumber('--concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1),
    timeoutMs: seconds('--timeout', values.timeout, DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS) * 1000,
    retries: wholeNumber('--retries', values.retries, DEFAULT_RETRIES, 0),
    headers: Object.fromEntries((values.header ?? []).map(header)),
    json: values.json === true,
  }
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    throw new WarmError(argumentProblem(error as Error))
  }
}

function argumentProblem(error: Error): string {
  const unknown = /^Unknown option '([^']+)'/.exec(error.message)
  if (unknown !== null) {
    const name = unknown[1]!
    const guess = closest(name.replace(/^-+/, ''), Object.keys(OPTIONS))
    return `unknown option ${name}${guess ? `; did you mean --${guess}?` : ''} (--help lists the options).`
  }
  const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(error.message)
  if (missing !== null) return `${missing[1]} needs a value (--help lists the options).`
  const ambiguous = /^Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(error.message)
  if (ambiguous !== null) return `${ambiguous[1]} needs a value; one that starts with "-" is written ${ambiguous[1]}=<value>.`
  return `${error.message.split('\n')[0]} (--help lists the options).`
}

/** The base URL, with a trailing `/` so that routes resolve below its path. */
function baseUrl(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new WarmError(`${JSON.stringify(text)} is not a URL; give the site's address with its scheme, e.g. http://localhost:3000 or https://my-app.vercel.app.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WarmError(`${JSON.stringify(text)} is not an http(s) address; give the site's address, e.g. http://localhost:3000.`)
  if (url.search !== '' || url.hash !== '') throw new WarmError(`the base URL ${JSON.stringify(text)} has a query or a fragment; give the site's address alone.`)
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  return url
}

/** `Name: value`, as curl's -H takes it. */
function header(text: string): [string, string] {
  const colon = text.indexOf(':')
  const name = text.slice(0, colon).trim()
  if (colon === -1 || !/^[!#$%&'*+.^`|~\w-]+$/.test(name)) throw new WarmError(`--header takes "Name: value", got ${JSON.stringify(text)}.`)
  return [name.toLowerCase(), text.slice(colon + 1).trim()]
}

function wholeNumber(option: string, text: string | undefined, fallback: number, least: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (/^\d+$/.test(text.trim()) && value >= least && Number.isSafeInteger(value)) return value
  throw new WarmError(`${option} takes a whole number${least > 0 ? ` of at least ${least}` : ''}, got ${JSON.stringify(text)}.`)
}

function seconds(option: string, text: string | undefined, fallback: number, most: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (text.trim() !== '' && value > 0 && value <= most) return value
  throw new WarmError(`${option} takes a number of seconds greater than 0 and at most ${most}, got ${JSON.stringify(text)}.`)
}
