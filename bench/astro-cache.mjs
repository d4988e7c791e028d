// Astro.cache: our provider beside Astro's own memoryCache() on one Astro 7 build
// (frameworks/astro-cache, @astrojs/node standalone, served by its own server): renders per burst
// of 30 concurrent requests on a cold page and on a stale one, and requests/s of a cached page
// under autocannon, in rounds that alternate which provider goes first. Ours also on Redis (a
// private redis-server), where redis-server is installed.
import { spawnSync } from 'node:child_process'
import autocannon from 'autocannon'
import { buildApp, burst, SITE_HOST, startApp } from '../frameworks/astro-cache/test/app-server.mjs'
import { startPrivateRedis } from './lib/private-redis.mjs'
import { atLeast, fixed, median, spreadOf, spreadText, table, target, targetLines } from './lib/measure.mjs'

const BURST = 30
const ROUNDS = 5
const ROUND_SECONDS = 3
const CONNECTIONS = 50
const CACHED_PAGE = '/posts/hello'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function load(app) {
  return new Promise((resolve, reject) => {
    autocannon({ url: `${app.origin}${CACHED_PAGE}`, headers: { host: SITE_HOST }, connections: CONNECTIONS, duration: ROUND_SECONDS }, (error, result) => (error ? reject(error) : resolve(result)))
  })
}

/** Renders per burst of BURST concurrent requests: on a cold page, then on the same page once stale (fresh for 1 s). */
async function bursts(app) {
  const cold = await burst([app], '/fast/bench', 'fast/bench', { count: BURST })
  await sleep(1_100)
  const stale = await burst([app], '/fast/bench', 'fast/bench', { count: BURST })
  return { cold: cold.renders, stale: stale.renders }
}

export async function run() {
  buildApp()
  const redis = spawnSync('redis-server', ['--version']).status === 0 ? await startPrivateRedis() : undefined
  const servers = [
    { name: 'ours (`revalidateCache()`, memory)', app: await startApp({ provider: 'revalidate' }) },
    { name: "Astro's `memoryCache()`", app: await startApp({ provider: 'astro-memory' }) },
  ]
  if (redis) servers.push({ name: 'ours (`revalidateCache({ redis })`)', app: await startApp({ provider: 'revalidate-redis', env: { REDIS_URL: redis.url } }) })
  try {
    for (const server of servers) server.bursts = await bursts(server.app)
    for (const { app } of servers) await app.get(CACHED_PAGE)
    for (const server of servers) server.rounds = []
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse()
      for (const server of order) {
        const result = await load(server.app)
        server.rounds.push({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx })
      }
    }
    for (const server of servers) {
      const of = (name) => median(server.rounds.map((r) => r[name]))
      server.rps = of('rps')
      server.spread = spreadOf(server.rounds.map((r) => r.rps))
      server.p50 = of('p50')
      server.p99 = of('p99')
      server.errors = server.rounds.reduce((sum, r) => sum + r.errors, 0)
    }
    const [ours, theirs] = servers
    const ratios = ours.rounds.map((r, i) => r.rps / theirs.rounds[i].rps)
    const ratio = median(ratios)
    const oursOnRedis = servers[2]
    const targets = [
      target('renders per burst of 30 on a cold page, ours', '1', String(ours.bursts.cold), ours.bursts.cold === 1, 'concurrent misses rendered more than once'),
      target('renders per burst of 30 on a stale page, ours', '1', String(ours.bursts.stale), ours.bursts.stale === 1, 'stale requests started more than one background render'),
      ...(oursOnRedis
        ? [target('renders per burst of 30 on a cold and on a stale page, ours on Redis', '1 and 1', `${oursOnRedis.bursts.cold} and ${oursOnRedis.bursts.stale}`, oursOnRedis.bursts.cold === 1 && oursOnRedis.bursts.stale === 1, 'more than one render per burst')]
        : []),
      atLeast("requests/s of a cached page, ours vs Astro's memoryCache()", ratio, 0.9, {
        why: `a hit of ours reads the coordinator's entry and builds a Response with its Age; rounds ranged from ${fixed(Math.min(...ratios), 2)} to ${fixed(Math.max(...ratios), 2)}`,
      }),
    ]
    const markdown = [
      '## 8. Astro.cache: our provider beside Astro’s memoryCache()',
      '',
      `One Astro 7 build (frameworks/astro-cache, @astrojs/node standalone), served by its own server with each provider. Renders per burst of ${BURST} concurrent requests on a page whose render takes 100 ms, cold and then stale (fresh for 1 s); requests/s of a cached page (\`${CACHED_PAGE}\`) under autocannon, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${ROUND_SECONDS} s alternating which provider goes first (requests/s and latencies: medians of the rounds; the ratio: the median of the rounds' ratios, ${ratios.map((r) => fixed(r, 2)).join(', ')}). Latencies in ms.`,
      '',
      table(['provider', 'renders per cold burst', 'renders per stale burst', 'requests/s (cached page)', 'requests/s of each round: min / median / max', 'p50', 'p99', 'errors'], servers.map((s) => [s.name, String(s.bursts.cold), String(s.bursts.stale), fixed(s.rps, 0), spreadText(s.spread, 0), fixed(s.p50, 0), fixed(s.p99, 0), String(s.errors)])),
      '',
      targetLines(targets),
    ].join('\n')
    return { markdown, targets }
  } finally {
    await Promise.all(servers.map(({ app }) => app.stop()))
    await redis?.stop()
  }
}
