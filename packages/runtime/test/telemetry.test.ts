// OpenTelemetry, through the SDK's in-memory exporters: the counters, histograms and spans of a
// miss, a hit, a stale read and its refresh, a failed refresh, a fenced fetch, a timeout, each
// invalidation and a failing store; what `keyAttribute` lets out; and `telemetry: true` with the
// providers registered globally.
import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createCache, keyPrefix, MemoryStore, type CacheOptions, type CacheStore } from '../src/index.js'
import { deferred, eventLog, manualClock, settle } from './helpers.js'

/** An SDK of our own (not registered globally): its meter and tracer providers, and what they exported. */
function sdk() {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const spanExporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] })
  return {
    meterProvider,
    tracerProvider,
    spans: (): ReadableSpan[] => spanExporter.getFinishedSpans(),
    /** Collects now; the metric of that name, as of this collection. */
    async metric(name: string): Promise<MetricData | undefined> {
      metricExporter.reset()
      await reader.forceFlush()
      const scopes = metricExporter.getMetrics().at(-1)?.scopeMetrics ?? []
      return scopes.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === name)
    },
    /** The value of a counter's data point with these attributes (0 when there is none). */
    async count(name: string, attributes: Record<string, unknown>): Promise<number> {
      const points = ((await this.metric(name))?.dataPoints ?? []) as DataPoint<number>[]
      return points.filter((point) => matches(point.attributes, attributes)).reduce((sum, point) => sum + point.value, 0)
    },
    /** The histogram points with these attributes. */
    async histogram(name: string, attributes: Record<string, unknown>): Promise<Histogram[]> {
      const metric = await this.metric(name)
      if (metric === undefined) return []
      expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM)
      return (metric.dataPoints as DataPoint<Histogram>[]).filter((point) => matches(point.attributes, attributes)).map((point) => point.value)
    },
    async shutdown() {
      await meterProvider.shutdown()
      await tracerProvider.shutdown()
    },
  }
}

const matches = (actual: Record<string, unknown>, wanted: Record<string, unknown>) => Object.entries(wanted).every(([name, value]) => JSON.stringify(actual[name]) === JSON.stringify(value))

function instrumented(options: CacheOptions = {}, keyAttribute?: 'full' | 'prefix' | 'none') {
  const otel = sdk()
  const clock = manualClock()
  const cache = createCache({ now: clock.now, name: 'test', ...options, telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider, keyAttribute } })
  return { otel, clock, cache }
}

beforeAll(() => {
  // Spans nest through awaits as in an app that registered the SDK's context manager.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
})

describe('telemetry through the SDK in-memory exporters', () => {
  it('a miss: one lookup (miss), one fetch timed, one span with the key prefix, the state, version, tags and outcome', async () => {
    const { otel, cache } = instrumented()
    await cache.withRevalidate('post:hello', 60, async () => ({ title: 'Hello' }), { version: 'v1', tags: ['posts'] })
    expect(await otel.count('revalidate.lookups', { 'revalidate.result': 'miss', 'revalidate.key': 'post', 'revalidate.cache': 'test' })).toBe(1)
    const durations = await otel.histogram('revalidate.fetch.duration', { 'revalidate.fetch.reason': 'miss', 'revalidate.outcome': 'ok' })
    expect(durations.map((point) => point.count)).toEqual([1])
    const [span, ...others] = otel.spans()
    expect(others).toEqual([])
    expect(span!.name).toBe('revalidate miss')
    expect(span!.attributes).toMatchObject({
      'revalidate.key': 'post',
      'revalidate.fetch.reason': 'miss',
      'revalidate.entry.state': 'absent',
      'revalidate.version': 'v1',
      'revalidate.tags': ['posts'],
      'revalidate.outcome': 'ok',
      'revalidate.ttl': 60,
    })
    await otel.shutdown()
  })

  it('a hit: one lookup (hit) and its age served; no span', async () => {
    const { otel, clock, cache } = instrumented()
    await cache.withRevalidate('posts:all', 60, () => [1])
    clock.advance(12)
    await cache.withRevalidate('posts:all', 60, () => [2])
    expect(await otel.count('revalidate.lookups', { 'revalidate.result': 'hit', 'revalidate.key': 'posts' })).toBe(1)
    const ages = await otel.histogram('revalidate.served.age', { 'revalidate.result': 'hit' })
    expect(ages).toHaveLength(1)
    expect(ages[0]).toMatchObject({ count: 1, sum: 12, min: 12, max: 12 })
    expect(otel.spans().map((span) => span.name)).toEqual(['revalidate miss']) // the first call's; the hit made none
    await otel.shutdown()
  })

  it('a stale read and its refresh: lookup (stale), age served, a refresh span and refreshes{ok}', async () => {
    const { otel, clock, cache } = instrumented()
    await cache.withRevalidate('posts:all', 60, () => 'old')
    clock.advance(75)
    expect(await cache.withRevalidate('posts:all', 60, () => 'new')).toBe('old')
    await settle()
    expect(await otel.count('revalidate.lookups', { 'revalidate.result': 'stale' })).toBe(1)
    expect((await otel.histogram('revalidate.served.age', { 'revalidate.result': 'stale' }))[0]).toMatchObject({ count: 1, sum: 75 })
    expect(await otel.count('revalidate.refreshes', { 'revalidate.outcome': 'ok', 'revalidate.key': 'posts' })).toBe(1)
    expect((await otel.histogram('revalidate.fetch.duration', { 'revalidate.fetch.reason': 'refresh', 'revalidate.outcome': 'ok' }))[0]?.count).toBe(1)
    const refresh = otel.spans().find((span) => span.name === 'revalidate refresh')
    expect(refresh?.attributes).toMatchObject({ 'revalidate.entry.state': 'stale', 'revalidate.outcome': 'ok', 'revalidate.fetch.reason': 'refresh' })
    await otel.shutdown()
  })

  it('a failed refresh: refreshes{error}, a span with the exception and an error status, error.type on the duration', async () => {
    const { otel, clock, cache } = instrumented({ onEvent: () => {} })
    await cache.withRevalidate('posts:all', 60, () => 'old')
    clock.advance(61)
    class DatabaseDown extends Error {
      override name = 'DatabaseDown'
    }
    await cache.withRevalidate('posts:all', 60, () => Promise.reject(new DatabaseDown('connection refused')))
    await settle()
    expect(await otel.count('revalidate.refreshes', { 'revalidate.outcome': 'error' })).toBe(1)
    expect((await otel.histogram('revalidate.fetch.duration', { 'revalidate.outcome': 'error', 'error.type': 'DatabaseDown' }))[0]?.count).toBe(1)
    const refresh = otel.spans().find((span) => span.name === 'revalidate refresh')!
    expect(refresh.status).toEqual({ code: 2, message: 'connection refused' })
    expect(refresh.events.map((event) => [event.name, event.attributes?.['exception.message']])).toEqual([['exception', 'connection refused']])
    expect(refresh.attributes['revalidate.outcome']).toBe('error')
    await otel.shutdown()
  })

  it('a fenced fetch: an invalidation overtakes a refresh in flight (refreshes{fenced}) and a miss (its span says fenced, the next fetch ok)', async () => {
    const { otel, clock, cache } = instrumented()
    await cache.withRevalidate('posts:all', 60, () => 'old')
    clock.advance(61)
    const slowRefresh = deferred<string>()
    await cache.withRevalidate('posts:all', 60, () => slowRefresh.promise)
    await settle()
    await cache.invalidate('posts:all')
    slowRefresh.resolve('refreshed before the invalidation')
    await settle()
    expect(await otel.count('revalidate.refreshes', { 'revalidate.outcome': 'fenced' })).toBe(1)

    const slowMiss = deferred<string>()
    let calls = 0
    const miss = cache.withRevalidate('post:1', 60, ({ signal }) => (++calls === 1 ? new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) : slowMiss.promise))
    await settle()
    await cache.invalidate('post:1')
    slowMiss.resolve('fetched after')
    expect(await miss).toBe('fetched after')
    const misses = otel.spans().filter((span) => span.name === 'revalidate miss' && span.attributes['revalidate.key'] === 'post')
    expect(misses.map((span) => span.attributes['revalidate.outcome'])).toEqual(['fenced', 'ok'])
    await otel.shutdown()
  })

  it('a refresh that times out: refreshes{timeout}, its span an error', async () => {
    const { otel, clock, cache } = instrumented({ timeoutSeconds: 0.05, onEvent: () => {} })
    await cache.withRevalidate('posts:all', 60, () => 'old')
    clock.advance(61)
    await cache.withRevalidate('posts:all', 60, () => new Promise(() => {}))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await otel.count('revalidate.refreshes', { 'revalidate.outcome': 'timeout' })).toBe(1)
    expect(otel.spans().find((span) => span.name === 'revalidate refresh')?.status.code).toBe(2)
    await otel.shutdown()
  })

  it('each invalidation: invalidations{kind} for key, tag and all; a page key is one invalidation', async () => {
    const { otel, cache } = instrumented()
    await cache.invalidate('post:1')
    await cache.invalidate('page:/posts') // a page key fences its tag too: still one invalidation
    await cache.invalidateTag('posts')
    await cache.invalidateAll()
    expect(await otel.count('revalidate.invalidations', { 'revalidate.invalidation.kind': 'key', 'revalidate.invalidation.remote': false })).toBe(2)
    expect(await otel.count('revalidate.invalidations', { 'revalidate.invalidation.kind': 'tag' })).toBe(1)
    expect(await otel.count('revalidate.invalidations', { 'revalidate.invalidation.kind': 'all' })).toBe(1)
    await otel.shutdown()
  })

  it('store errors by phase, and the memory gauge of the store', async () => {
    const memory = new MemoryStore()
    const store: CacheStore = {
      kind: 'flaky',
      get: () => Promise.reject(new TypeError('read failed')),
      set: (key, entry) => memory.set(key, entry),
      delete: () => Promise.reject(new RangeError('delete failed')),
      deleteTag: (tag) => memory.deleteTag(tag),
      clear: () => memory.clear(),
      get memoryUsage() {
        return { entries: memory.size, bytes: 1234 }
      },
    }
    const { otel, cache } = instrumented({ store, onEvent: () => {} })
    await cache.withRevalidate('a', 60, () => 1)
    await cache.withRevalidate('b', 60, () => 2)
    await expect(cache.invalidate('a')).rejects.toThrow('delete failed')
    expect(await otel.count('revalidate.store.errors', { 'revalidate.store.phase': 'read', 'error.type': 'TypeError', 'revalidate.store': 'flaky' })).toBe(2)
    expect(await otel.count('revalidate.store.errors', { 'revalidate.store.phase': 'invalidate', 'error.type': 'RangeError' })).toBe(1)
    expect(await otel.count('revalidate.store.entries', { 'revalidate.store': 'flaky' })).toBe(2)
    expect(await otel.count('revalidate.store.bytes', { 'revalidate.cache': 'test' })).toBe(1234)
    await otel.shutdown()
  })

  it('the fetcher runs inside the fetch span: its own spans are children of it, and the fetch span a child of the caller', async () => {
    const { otel, cache } = instrumented()
    const tracer = otel.tracerProvider.getTracer('app')
    await tracer.startActiveSpan('GET /posts', async (request) => {
      await cache.withRevalidate('posts:all', 60, async () => tracer.startActiveSpan('SELECT posts', (query) => query.end()))
      request.end()
    })
    const byName = new Map(otel.spans().map((span) => [span.name, span]))
    expect(byName.get('SELECT posts')!.parentSpanContext?.spanId).toBe(byName.get('revalidate miss')!.spanContext().spanId)
    expect(byName.get('revalidate miss')!.parentSpanContext?.spanId).toBe(byName.get('GET /posts')!.spanContext().spanId)
    await otel.shutdown()
  })

  it('keyAttribute: full sends the key, none sends no key attribute, prefix cuts page keys after their first segment', async () => {
    const full = instrumented({}, 'full')
    await full.cache.withRevalidate('user:42:orders', 60, () => 1)
    expect(await full.otel.count('revalidate.lookups', { 'revalidate.key': 'user:42:orders' })).toBe(1)
    expect(full.otel.spans()[0]!.attributes['revalidate.key']).toBe('user:42:orders')
    const none = instrumented({}, 'none')
    await none.cache.withRevalidate('user:42:orders', 60, () => 1)
    const points = ((await none.otel.metric('revalidate.lookups'))!.dataPoints as DataPoint<number>[])
    expect(points.map((point) => Object.keys(point.attributes).sort())).toEqual([['revalidate.cache', 'revalidate.result']])
    expect(Object.keys(none.otel.spans()[0]!.attributes)).not.toContain('revalidate.key')
    expect([keyPrefix('page:/posts/hello#app/routes/post'), keyPrefix('page:/'), keyPrefix('page:/search?q=1'), keyPrefix('user/42'), keyPrefix('plain')]).toEqual(['page:/posts', 'page:/', 'page:/search', 'user', 'plain'])
    await full.otel.shutdown()
    await none.otel.shutdown()
  })

  it('lookups are counted per key series, with a bound: past 1000 prefixes, new ones count as (other)', async () => {
    const { otel, cache } = instrumented({}, 'full')
    for (let i = 0; i < 1005; i++) await cache.withRevalidate(`k${i}`, 60, () => i)
    expect(await otel.count('revalidate.lookups', { 'revalidate.key': '(other)' })).toBe(5)
    expect(await otel.count('revalidate.lookups', { 'revalidate.result': 'miss' })).toBe(1005)
    await otel.shutdown()
  })

  it('a disposed cache stops reporting its observable instruments (the SDK keeps their last value)', async () => {
    const { otel, cache } = instrumented()
    await cache.withRevalidate('a:1', 60, () => 1)
    expect(await otel.count('revalidate.lookups', {})).toBe(1)
    cache.dispose()
    await cache.withRevalidate('a:1', 60, () => 1)
    expect(await otel.count('revalidate.lookups', {})).toBe(1)
    await otel.shutdown()
  })

  it('providers that throw never fail serving: misses, hits, refreshes and invalidations go on as without telemetry', async () => {
    const broken = () => {
      throw new Error('provider broken')
    }
    const clock = manualClock()
    const throwingTracer = { startActiveSpan: broken }
    const cache = createCache({
      now: clock.now,
      telemetry: { meterProvider: { getMeter: broken }, tracerProvider: { getTracer: () => throwingTracer } },
    })
    let calls = 0
    expect(await cache.withRevalidate('k', 60, () => ++calls)).toBe(1)
    expect(await cache.withRevalidate('k', 60, () => ++calls)).toBe(1)
    clock.advance(61)
    expect(await cache.withRevalidate('k', 60, () => ++calls)).toBe(1)
    await settle()
    expect(await cache.withRevalidate('k', 60, () => ++calls)).toBe(2)
    await cache.invalidate('k')
    expect(await cache.withRevalidate('k', 60, () => ++calls)).toBe(3)
    expect(calls).toBe(3) // each fetch ran once, span or not
  })

  it('bad options are TypeErrors naming the option', () => {
    expect(() => createCache({ telemetry: 'yes' as never })).toThrow(/telemetry must be true, false or/)
    expect(() => createCache({ telemetry: { keyAttribute: 'some' as never } })).toThrow(/telemetry.keyAttribute must be 'full', 'prefix' or 'none', got "some"/)
  })
})

describe('telemetry: true', () => {
  afterEach(() => {
    metrics.disable()
    trace.disable()
  })

  it("reports to the providers registered with @opentelemetry/api, found at the first report (after the cache was made)", async () => {
    const log = eventLog()
    const cache = createCache({ telemetry: true, onEvent: log.onEvent })
    const otel = sdk()
    metrics.setGlobalMeterProvider(otel.meterProvider)
    trace.setGlobalTracerProvider(otel.tracerProvider)
    await cache.withRevalidate('posts:all', 60, () => 1)
    await cache.withRevalidate('posts:all', 60, () => 1)
    expect(await otel.count('revalidate.lookups', { 'revalidate.result': 'hit' })).toBe(1)
    expect(otel.spans().map((span) => span.name)).toEqual(['revalidate miss'])
    expect(log.types()).not.toContain('error')
    cache.dispose()
    await otel.shutdown()
  })

  it('with no provider registered, nothing breaks and nothing is recorded', async () => {
    const cache = createCache({ telemetry: true })
    await cache.withRevalidate('posts:all', 60, () => 1)
    expect(await cache.withRevalidate('posts:all', 60, () => 2)).toBe(1)
    expect(cache.stats().lookups).toEqual({ hit: 1, stale: 0, miss: 1 })
    cache.dispose()
  })
})
