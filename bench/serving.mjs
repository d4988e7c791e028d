// 4. Serving: the example blog's built server under load (autocannon), with a 20 ms query.
// A pragma page against the same server's page that loads no data, then across ttl boundaries.
import autocannon from 'autocannon'
import { startBlog } from '../examples/blog/test/blog-server.mjs'
import { fixed, table, verdict } from './lib/measure.mjs'

const DURATION_SECONDS = 10
const CONNECTIONS = 50

function load(url, onTick) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECONDS }, (error, result) => (error ? reject(error) : resolve(result)))
    if (onTick) instance.on('tick', onTick)
  })
}

const summary = (result) => ({
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.errors + result.non2xx,
  bytes: Math.round(result.throughput.total / result.requests.total),
})

export async function run() {
  const blog = await startBlog({ queryLatencyMs: 20 })
  try {
    const queries = async () => (await (await fetch(`${blog.url}/__test/stats`)).json()).queries
    await fetch(`${blog.url}/`)
    await fetch(`${blog.url}/about`)
    const noData = summary(await load(`${blog.url}/about`))
    const pragma = summary(await load(`${blog.url}/`))

    // Across ttl boundaries: every 2 s the cache's clock jumps past the list page's 60 s ttl.
    const before = await queries()
    let seconds = 0
    let windows = 0
    const crossing = summary(
      await load(`${blog.url}/`, async () => {
        seconds += 1
        if (seconds % 2 !== 0 || seconds >= DURATION_SECONDS) return // a boundary with load after it
        windows += 1
        await fetch(`${blog.url}/__test/clock?advance=61`, { method: 'POST' })
      }),
    )
    const fetchesPerWindow = (await queries() - before) / windows

    const ratio = pragma.rps / noData.rps
    const p99Jump = crossing.p99 / pragma.p99
    const targets = { throughput: ratio >= 0.8, p99: crossing.p99 <= Math.max(pragma.p99 * 1.5, pragma.p99 + 5), fetches: fetchesPerWindow === 1 }
    const row = (name, s) => [name, String(s.bytes), fixed(s.rps, 0), fixed(s.p50, 0), fixed(s.p99, 0), String(s.errors)]
    const markdown = [
      '## 4. Serving the example blog',
      '',
      `autocannon, ${CONNECTIONS} connections for ${DURATION_SECONDS} s per run, against \`node server.js\` (the built blog) with a 20 ms query latency. Latencies in ms.`,
      '',
      table(['page', 'bytes per response', 'requests/s', 'p50', 'p99', 'errors'], [
        row('`/about`: no data at all (text of a similar size)', noData),
        row('`/`: `# Pragma: revalidate 60`, fresh', pragma),
        row(`\`/\` crossing the ttl ${windows} times (stale, refresh)`, crossing),
      ]),
      '',
      `- Throughput of the pragma page: ${fixed(ratio, 2)}x the page without data (target at least 0.8x: ${verdict(targets.throughput)}).`,
      `- p99 across ttl boundaries: ${fixed(p99Jump, 2)}x the steady p99 (target: no jump, nobody waits for a refresh: ${verdict(targets.p99)}).`,
      `- Fetcher calls per ttl window: ${fixed(fetchesPerWindow, 2)} (target 1: ${verdict(targets.fetches)}).`,
    ].join('\n')
    return { markdown, targets, headline: { ratio, fetchesPerWindow } }
  } finally {
    await blog.stop()
  }
}
