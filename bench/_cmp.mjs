import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { createCache } from '@revalidate/runtime'
import { measurePeers, ratioOf } from './lib/peers.mjs'
const base = await import('./_base/dist/index.js')
const KEY = 'posts:all', VALUE = { posts: [1] }, fetcher = async () => VALUE
const map = new Map([[KEY, VALUE]]); const floor = async (k) => map.get(k)
const old = base.createCache(); await old.withRevalidate(KEY, 3600, fetcher)
const ours = createCache(); await ours.withRevalidate(KEY, 3600, fetcher)
const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 })
const meterProvider = new MeterProvider({ readers: [reader] })
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] })
const on = createCache({ telemetry: { meterProvider, tracerProvider } }); await on.withRevalidate(KEY, 3600, fetcher)
const r = await measurePeers([
  { name: 'floor', call: () => floor(KEY), async: true },
  { name: 'before', call: () => old.withRevalidate(KEY, 3600, fetcher), async: true },
  { name: 'off', call: () => ours.withRevalidate(KEY, 3600, fetcher), async: true },
  { name: 'on', call: () => on.withRevalidate(KEY, 3600, fetcher), async: true },
], { rounds: 30, time: 150, batch: 1000 })
for (const x of r) console.log(x.name, x.median.toFixed(1), 'ns', ratioOf(x, r[0]).value.toFixed(2))
console.log('off/before', ratioOf(r[2], r[1]).value.toFixed(3), 'on/off', ratioOf(r[3], r[2]).value.toFixed(3))
