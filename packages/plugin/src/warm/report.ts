/**
 * What `revalidate warm` prints. On a terminal, a progress bar on stderr (failures printed above
 * it as they come) and the summary on stdout; elsewhere, one line per URL and the summary; with
 * --json, one JSON document (WarmSummary) and nothing else:
 *
 *   [██████████████░░░░░░░░░░░░░░░░]  9/20  MISS 6 · HIT 2 · FAIL 1
 *
 *   MISS   200  /posts/hello  38 ms
 *   FAIL   500  /posts/broken  1.5 s, 3 attempts
 *
 *   revalidate warm: 20 URLs on http://localhost:3000/ in 2.1 s
 *     warmed (MISS)       17
 *     already HIT          2
 *     ...
 */
import type { Outcome, RequestResult } from './request.js'

export interface WarmResult extends RequestResult {
  /** The route pattern the URL belongs to. */
  route: string
}

/** The --json output. */
export interface WarmSummary {
  base: string
  manifests: string[]
  ok: boolean
  durationMs: number
  counts: Record<Outcome, number>
  results: WarmResult[]
  /** Given URLs that belong to no cached route: not requested. */
  unmatched: string[]
  /** Dynamic routes no given URL belongs to: not warmed. */
  routesWithoutUrls: string[]
  /** Routes cached in each visitor's browser: not warmed. */
  browserRoutes: string[]
  /** Set when the site stopped answering: why, and the URLs not requested after it. */
  stopped: { reason: string; notRequested: string[] } | null
}

export interface Output {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

export interface Reporter {
  start(total: number): void
  result(result: WarmResult): void
  finish(summary: WarmSummary): void
}

const OUTCOMES: Outcome[] = ['warmed', 'hit', 'stale', 'uncached', 'failed']
const ROW_NAMES: Record<Outcome, string> = { warmed: 'warmed (MISS)', hit: 'already HIT', stale: 'STALE, refreshing', uncached: 'no cache header', failed: 'failed' }
const BAR_WIDTH = 30
const REDRAW_EVERY_MS = 50
/** Given URLs of no cached route listed by name; past this, a count. */
const LISTED = 5

export function countsOf(results: readonly WarmResult[]): Record<Outcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>
  for (const result of results) counts[result.outcome]++
  return counts
}

export function reporterFor(json: boolean, stdout: Output, stderr: Output): Reporter {
  if (json) return { start() {}, result() {}, finish: (summary) => stdout.write(`${JSON.stringify(summary, null, 2)}\n`) }
  return stderr.isTTY ? progressBar(stdout, stderr) : plainLines(stdout)
}

function plainLines(stdout: Output): Reporter {
  return {
    start() {},
    result: (result) => stdout.write(`${resultLine(result)}\n`),
    finish: (summary) => stdout.write(summaryText(summary)),
  }
}

function progressBar(stdout: Output, stderr: Output): Reporter {
  let total = 0
  let done = 0
  const counts = countsOf([])
  let drawnAt = 0
  const clear = '\r\x1b[2K'
  const draw = () => {
    const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH)
    const line = `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${String(done).padStart(String(total).length)}/${total}  MISS ${counts.warmed} · HIT ${counts.hit + counts.stale} · FAIL ${counts.failed}`
    stderr.write(`${clear}${line.slice(0, Math.max(20, (stderr.columns || 80) - 1))}`)
    drawnAt = performance.now()
  }
  return {
    start(count) {
      total = count
      draw()
    },
    result(result) {
      done++
      counts[result.outcome]++
      if (result.outcome === 'failed') stderr.write(`${clear}${resultLine(result)}\n`)
      if (result.outcome === 'failed' || done === total || performance.now() - drawnAt >= REDRAW_EVERY_MS) draw()
    },
    finish(summary) {
      stderr.write(`${clear}`)
      stdout.write(summaryText(summary))
    },
  }
}

function resultLine(result: WarmResult): string {
  const label = result.outcome === 'failed' ? 'FAIL' : result.outcome === 'uncached' ? 'NONE' : (result.cache ?? '').toUpperCase()
  const status = result.status === null ? '---' : String(result.status)
  const said = result.error === null ? '' : `  ${result.error}`
  return `${label.padEnd(11)} ${status}  ${pathOf(result.url)}  ${timing(result)}${said}`
}

function summaryText(summary: WarmSummary): string {
  const { counts } = summary
  const lines = [`revalidate warm: ${summary.results.length} URL${summary.results.length === 1 ? '' : 's'} on ${summary.base} in ${duration(summary.durationMs)}`]
  if (summary.stopped !== null) {
    const { reason, notRequested } = summary.stopped
    lines.push(`  stopped: ${reason}; ${notRequested.length} URL${notRequested.length === 1 ? ' was' : 's were'} not requested. Is the site still running?`)
  }
  const width = Math.max(...OUTCOMES.map((outcome) => ROW_NAMES[outcome].length)) + 2
  for (const outcome of OUTCOMES) {
    lines.push(`  ${ROW_NAMES[outcome].padEnd(width)}${String(counts[outcome]).padStart(String(summary.results.length).length)}`)
    if (outcome !== 'failed') continue
    for (const failed of summary.results.filter((result) => result.outcome === 'failed')) {
      lines.push(`      ${failed.status ?? '---'}  ${pathOf(failed.url)}  ${timing(failed)}${failed.error === null ? '' : `  ${failed.error}`}`)
    }
  }
  for (const route of summary.routesWithoutUrls) {
    lines.push(`  not warmed: no URL given for the dynamic route ${route} (give its URLs with --sitemap, --urls or --urls-module)`)
  }
  if (summary.unmatched.length > 0) {
    const shown = summary.unmatched.slice(0, LISTED).join(', ')
    const more = summary.unmatched.length > LISTED ? ` and ${summary.unmatched.length - LISTED} more` : ''
    lines.push(`  skipped ${summary.unmatched.length} given URL${summary.unmatched.length === 1 ? '' : 's'} of no cached route: ${shown}${more}`)
  }
  if (summary.results.length === 0 && summary.routesWithoutUrls.length === 0 && summary.browserRoutes.length === 0) {
    lines.push(`  nothing to warm: ${summary.manifests.join(', ')} list${summary.manifests.length === 1 ? 's' : ''} no cached route`)
  }
  if (summary.browserRoutes.length > 0) {
    lines.push(`  not warmed: ${summary.browserRoutes.join(', ')}, cached in each visitor's browser (target browser)`)
  }
  return `${lines.join('\n')}\n`
}

function pathOf(url: string): string {
  const { pathname, search } = new URL(url)
  return `${pathname}${search}`
}

function timing(result: RequestResult): string {
  return `${duration(result.ms)}${result.attempts > 1 ? `, ${result.attempts} attempts` : ''}`
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
