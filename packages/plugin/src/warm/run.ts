/**
 * `revalidate warm <base-url>`: reads the build's manifests and the given URLs, requests every
 * cached route on the site (the first alone, so that a site that cannot be reached is one line,
 * then the rest a few at a time), reports, and returns the exit code.
 */
import { parseWarmArgs, WARM_HELP, type WarmOptions } from './args.js'
import { WarmError } from './errors.js'
import { loadManifests } from './manifests.js'
import { planWarmUp, type WarmTarget } from './plan.js'
import { countsOf, reporterFor, type Output, type WarmResult } from './report.js'
import { warmUrl, type RequestOptions } from './request.js'
import { readGivenUrls } from './url-sources.js'

export interface CommandIO {
  stdout: Output
  stderr: Output
  cwd: string
}

/** Runs the command with its arguments (after `warm`); the exit code. */
export async function warmCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  try {
    const options = parseWarmArgs(argv)
    if (options === 'help') {
      io.stdout.write(WARM_HELP)
      return 0
    }
    return await warm(options, io)
  } catch (error) {
    if (!(error instanceof WarmError)) throw error
    io.stderr.write(`revalidate warm: ${error.message}\n`)
    return error.exitCode
  }
}

async function warm(options: WarmOptions, io: CommandIO): Promise<number> {
  const started = performance.now()
  const manifests = loadManifests(options.manifests, io.cwd)
  const given = await readGivenUrls(options)
  const plan = planWarmUp(options.base, manifests.flatMap(({ manifest }) => manifest.routes), given)
  const request: RequestOptions = { timeoutMs: options.timeoutMs, retries: options.retries, headers: options.headers }
  const warmOne = async (target: WarmTarget): Promise<WarmResult> => {
    const { url, ...result } = await warmUrl(target.url, request)
    return { url, route: target.route, ...result }
  }
  const [first, ...rest] = plan.targets
  const firstResult = first === undefined ? undefined : await warmOne(first)
  if (firstResult !== undefined && firstResult.status === null) {
    throw new WarmError(`cannot reach ${options.base.origin}: ${firstResult.error} (${firstResult.url}). Is the site running at that address?`, 1)
  }
  const reporter = reporterFor(options.json, io.stdout, io.stderr)
  const results = new Map<string, WarmResult>()
  // A site that stops answering (killed, its network gone) is not asked for every URL left.
  const giveUpAfter = Math.max(STOP_AFTER_UNANSWERED, 2 * options.concurrency)
  let unanswered = 0
  let lastError: string | null = null
  const finished = (result: WarmResult) => {
    results.set(result.url, result)
    unanswered = result.status === null ? unanswered + 1 : 0
    lastError = result.error ?? lastError
    reporter.result(result)
  }
  reporter.start(plan.targets.length)
  if (firstResult !== undefined) finished(firstResult)
  await eachAtOnce(rest, options.concurrency, async (target) => finished(await warmOne(target)), () => unanswered >= giveUpAfter)
  // In the order of the plan, whatever order they finished in.
  const inOrder = plan.targets.flatMap((target) => results.get(target.url) ?? [])
  const notRequested = plan.targets.filter((target) => !results.has(target.url)).map((target) => target.url)
  const counts = countsOf(inOrder)
  reporter.finish({
    base: options.base.href,
    manifests: manifests.map(({ path }) => path),
    ok: counts.failed === 0,
    durationMs: Math.round(performance.now() - started),
    counts,
    results: inOrder,
    unmatched: plan.unmatched,
    routesWithoutUrls: plan.routesWithoutUrls,
    browserRoutes: plan.browserRoutes,
    stopped: notRequested.length === 0 ? null : { reason: `${unanswered} requests in a row got no answer (the last: ${lastError})`, notRequested },
  })
  return counts.failed === 0 && notRequested.length === 0 ? 0 : 1
}

/** Requests in a row without an answer that stop the run (or twice the concurrency, if more). */
const STOP_AFTER_UNANSWERED = 8

/** Runs `work` on every item, at most `concurrency` at once, until `stop()` says so. */
async function eachAtOnce<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>, stop: () => boolean): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length && !stop()) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
