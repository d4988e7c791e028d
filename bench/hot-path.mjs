// 1. The hot path: a fresh hit, ns per call, against the floor (an async Map lookup) and peers,
// through `withRevalidate` and through what a compiled page calls (`cachePage`).
import { readFileSync } from 'node:fs'
import { cachified, totalTtl } from '@epic-web/cachified'
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { transform } from '@revalidate/plugin'
import { cachePage, createCache } from '@revalidate/runtime'
import { LRUCache } from 'lru-cache'
import { coarseNow } from '../packages/runtime/dist/clock.js'
import { atMost, fixed, spreadText, table, targetLines } from './lib/measure.mjs'
import { naiveSwr } from './lib/naive-swr.mjs'
import { measurePeers, ratioOf } from './lib/peers.mjs'

const KEY = 'posts:all'
const VALUE = { posts: [1, 2, 3] }
const fetcher = async () => VALUE
const ROUNDS = 12
const TIME_MS = 150
const BATCH = 1000
const LIMIT = 1.1
/** A hit with telemetry on may cost this much more than the floor: its count, and a sampled histogram record. */
const TELEMETRY_LIMIT = 2

/**
 * The page constant the plugin compiles bench/fixtures/page.tsx to (a React Router loader: its
 * module as the entry's part, the pragma's tags), so the compiled page's row calls `cachePage`
 * exactly as that page does.
 */
function compiledPageConstant() {
  const code = readFileSync(new URL('./fixtures/page.tsx', import.meta.url), 'utf8')
  const compiled = transform(code, '/app/src/routes/posts/[slug].tsx', { root: '/app', target: 'node' })
  const constant = /const __rv_page = (\{.*?\});/.exec(compiled?.code ?? '')
  if (constant === null) throw new Error('bench/fixtures/page.tsx no longer compiles to a page constant')
  return JSON.parse(constant[1])
}

/**
 * A reference, not a cache: the least a stale-while-revalidate hit can do (an entry object from a
 * Map, one reading of the runtime's own clock compared with its age), with nothing else: no
 * argument checks, no version, no recency, no store interface, no events.
 */
function bareFreshnessCheck() {
  const entries = new Map([[KEY, { value: VALUE, storedAt: coarseNow() }]])
  return (key, ttlSeconds) => {
    const entry = entries.get(key)
    if (entry !== undefined && coarseNow() - entry.storedAt < ttlSeconds * 1000) return Promise.resolve(entry.value)
    throw new Error('the reference entry went stale')
  }
}

export async function run() {
  const map = new Map([[KEY, VALUE]])
  const floor = async (key) => map.get(key)
  const bare = bareFreshnessCheck()

  const ours = createCache()
  await ours.withRevalidate(KEY, 3600, fetcher)
  // The same with telemetry on, reporting to the OpenTelemetry SDK (in-memory exporters, collected
  // once an hour: what a hit costs, not what an export does).
  const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] })
  const instrumented = createCache({ telemetry: { meterProvider, tracerProvider } })
  await instrumented.withRevalidate(KEY, 3600, fetcher)

  // A compiled page's loader, as the plugin writes it, called as React Router calls it.
  const page = compiledPageConstant()
  const context = { request: new Request('https://blog.example/posts/hello-world'), params: { slug: 'hello-world' }, context: {} }
  const fetcherFor = (loaderContext) => {
    const { params } = loaderContext
    return async () => ({ post: params.slug })
  }
  const loader = () => cachePage(page, context, fetcherFor)
  await loader()

  const lru = new LRUCache({ max: 1000, ttl: 3600_000, fetchMethod: fetcher })
  await lru.fetch(KEY)

  const lruForCachified = new LRUCache({ max: 1000 })
  const cachifiedCache = {
    set: (key, value) => lruForCachified.set(key, value, { ttl: totalTtl(value?.metadata) === Infinity ? undefined : totalTtl(value?.metadata) }),
    get: (key) => lruForCachified.get(key),
    delete: (key) => lruForCachified.delete(key),
  }
  const viaCachified = () => cachified({ key: KEY, cache: cachifiedCache, getFreshValue: fetcher, ttl: 3600_000 })
  await viaCachified()
  await naiveSwr(KEY, 3600, fetcher)

  const results = await measurePeers(
    [
      { name: 'async Map lookup (the floor)', call: () => floor(KEY), async: true },
      { name: 'a bare freshness check (a reference: an entry from a Map, one clock comparison, nothing else)', call: () => bare(KEY, 3600), async: true },
      { name: '**revalidate** `withRevalidate`', call: () => ours.withRevalidate(KEY, 3600, fetcher), async: true },
      { name: '**revalidate** `withRevalidate`, telemetry on (OpenTelemetry SDK)', call: () => instrumented.withRevalidate(KEY, 3600, fetcher), async: true },
      { name: '**revalidate** compiled page (`cachePage`)', call: loader, async: true },
      { name: 'lru-cache `fetch()`', call: () => lru.fetch(KEY), async: true },
      { name: '@epic-web/cachified + lru-cache', call: viaCachified, async: true },
      { name: 'naive Map-based SWR', call: () => naiveSwr(KEY, 3600, fetcher), async: true },
    ],
    { rounds: ROUNDS, time: TIME_MS, batch: BATCH },
  )
  const [floorResult, bareResult, withRevalidate, withTelemetry, compiled, lruResult, cachifiedResult] = results
  await meterProvider.shutdown()
  await tracerProvider.shutdown()
  const hit = ratioOf(withRevalidate, floorResult)
  const telemetryHit = ratioOf(withTelemetry, floorResult)
  const pageHit = ratioOf(compiled, floorResult)
  const targets = [
    atMost('fresh hit (`withRevalidate`) vs async Map', hit.value, LIMIT, {
      why: `a hit checks its arguments, reads the entry through the store (a Map, and the LRU's recency), reads the clock, checks the entry's age and version and whether anyone listens, then resolves a promise; the floor only looks up and resolves. The bare freshness check, which does nothing but the age check, is ${fixed(ratioOf(bareResult, floorResult).value, 2)}x the floor in this run: where any stale-while-revalidate hit lands against this floor moves from run to run by about as much as the target's 10%, since V8 compiles the floor's tiny async function into the loop. To close it: fewer checks on the hit (no version check when none is asked for, one promise test instead of two), each worth a nanosecond or two, which this machine's noise does not let us tell apart yet`,
    }),
    atMost('fresh hit with telemetry on (OpenTelemetry SDK) vs async Map', telemetryHit.value, TELEMETRY_LIMIT, {
      why: 'with telemetry on, a hit also counts its lookup in its key series (read by the SDK when it collects), and the lookups the cache samples (every one of the first 10,000, then one in 64 on average) record their age in the SDK\'s histogram, about a microsecond each. To close it: sample the age less often',
    }),
    atMost('fresh hit of a compiled page (`cachePage`) vs async Map', pageHit.value, LIMIT, {
      why: "the floor is handed its key; a compiled page finds its key from the request first (reading `request.url`, then its remembered entry for that URL), and calls the page's data function to get a fetcher it will not need. To close it: a key the framework hands over, as the floor's is",
    }),
  ]
  const ratioCell = (r) => `${fixed(r.value, 2)} (${fixed(r.low, 2)}–${fixed(r.high, 2)})`
  const markdown = [
    '## 1. Hot path: a fresh hit',
    '',
    `tinybench, in one process: ${ROUNDS} rounds of ${TIME_MS} ms per implementation, the order rotated each round; a sample is the mean of ${BATCH.toLocaleString('en')} calls, each awaited before the next. The compiled page is bench/fixtures/page.tsx as the plugin compiles it (a React Router loader), called with a \`Request\` for \`/posts/hello-world\`.`,
    '',
    table(
      ['implementation', 'ns per call: min / median / max', 'x floor, round by round: median (range)', 'samples'],
      results.map((r) => [r.name, spreadText(r), r === floorResult ? '1.00' : ratioCell(ratioOf(r, floorResult)), String(r.samples.length)]),
    ),
    '',
    targetLines(targets),
    `- Beside the peers: lru-cache \`fetch()\` takes ${fixed(lruResult.median / withRevalidate.median, 2)}x the time of a \`withRevalidate\` hit, cachified ${fixed(cachifiedResult.median / withRevalidate.median, 1)}x. The naive function does less (no single-flight, no stale window, no fencing; see section 2).`,
  ].join('\n')
  return { markdown, targets }
}
