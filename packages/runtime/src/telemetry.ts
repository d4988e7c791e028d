/**
 * OpenTelemetry metrics and traces of one cache (docs/observability.md has the table of names):
 *
 *   createCache({ telemetry: true })   the providers registered with @opentelemetry/api
 *   createCache({ telemetry: { meterProvider, tracerProvider, keyAttribute: 'none' } })
 *
 * `@opentelemetry/api` is an optional peer and never imported statically, so browsers and workerd
 * load none of it: providers passed in are used as they are (they carry their own API), and
 * `true` loads the app's `@opentelemetry/api` with Node's `createRequire` where there is one
 * (Node, Bun, Deno), synchronously, at the cache's making; elsewhere `true` reports that it found
 * no API, and the providers must be passed. The meter and the tracer are got lazily, at the first
 * fetch or invalidation, so an SDK started after the cache was made is still found.
 *
 * The hot path costs next to nothing: a lookup increments a count of its series here, which the
 * `revalidate.lookups` observable counter reports when the SDK collects (an SDK counter `add`
 * hashes its attributes on every call, about a microsecond), and `revalidate.served.age` is
 * recorded for the lookups the cache's stats sample (all of the first 10,000, then one in 64 on
 * average). A hit is never a span; each fetch (miss or refresh) is one.
 */
import type { FetchOutcome, FetchReason, LookupResult } from './cache-stats.js'
import { callSafely } from './hooks.js'
import type { CacheStore, Invalidation } from './types.js'

/** What a span and a metric say of a key. `prefix`: see `keyPrefix`. */
export type KeyAttribute = 'full' | 'prefix' | 'none'

export interface TelemetryOptions {
  /**
   * Where metrics go: the SDK's `MeterProvider`, or `metrics.getMeterProvider()`.
   * @default the provider registered with `@opentelemetry/api` (Node, Bun, Deno)
   */
  meterProvider?: MeterProviderLike
  /**
   * Where spans go: the SDK's `TracerProvider`, or `trace.getTracerProvider()`.
   * @default the provider registered with `@opentelemetry/api` (Node, Bun, Deno)
   */
  tracerProvider?: TracerProviderLike
  /**
   * What of a key goes out as `revalidate.key`. Keys can hold personal data (`user:42:orders`),
   * and a metric series per key grows without bound: `prefix` sends the part before the first
   * `:` or `/` (after `page:/` for page keys: `page:/posts`), `full` the whole key (for
   * development, or a cache of few keys), `none` nothing.
   * @default 'prefix'
   */
  keyAttribute?: KeyAttribute
}

// The parts of @opentelemetry/api this module uses, as shapes: its types are not ours to depend on.
type Attributes = Record<string, string | number | boolean | string[]>
export interface MeterProviderLike {
  getMeter(name: string, version?: string): MeterLike
}
export interface MeterLike {
  createCounter(name: string, options?: InstrumentOptions): { add(value: number, attributes?: Attributes): void }
  createHistogram(name: string, options?: InstrumentOptions): { record(value: number, attributes?: Attributes): void }
  createObservableCounter(name: string, options?: InstrumentOptions): ObservableLike
  createObservableGauge(name: string, options?: InstrumentOptions): ObservableLike
}
interface InstrumentOptions {
  description?: string
  unit?: string
}
interface ObservableLike {
  addCallback(callback: (result: { observe(value: number, attributes?: Attributes): void }) => void): void
  removeCallback(callback: (result: { observe(value: number, attributes?: Attributes): void }) => void): void
}
export interface TracerProviderLike {
  getTracer(name: string, version?: string): TracerLike
}
export interface TracerLike {
  startActiveSpan<F extends (span: SpanLike) => unknown>(name: string, options: { kind?: number; attributes?: Attributes }, fn: F): ReturnType<F>
}
export interface SpanLike {
  setAttributes(attributes: Attributes): unknown
  setStatus(status: { code: number; message?: string }): unknown
  recordException(exception: Error | string): void
  end(): void
}
interface OpenTelemetryApi {
  metrics: { getMeterProvider(): MeterProviderLike }
  trace: { getTracerProvider(): TracerProviderLike }
}

const SCOPE = '@revalidate/runtime'
const SPAN_KIND_INTERNAL = 0
const STATUS_ERROR = 2
/** Distinct `revalidate.key` values counted apart; past it, lookups of new ones count under OTHER_KEYS. */
const MAX_SERIES = 1000
const OTHER_KEYS = '(other)'

/** The attribute names, in one place (docs/observability.md lists them). */
export const ATTRIBUTES = {
  cache: 'revalidate.cache',
  key: 'revalidate.key',
  result: 'revalidate.result',
  reason: 'revalidate.fetch.reason',
  outcome: 'revalidate.outcome',
  state: 'revalidate.entry.state',
  version: 'revalidate.version',
  tags: 'revalidate.tags',
  ttl: 'revalidate.ttl',
  kind: 'revalidate.invalidation.kind',
  remote: 'revalidate.invalidation.remote',
  phase: 'revalidate.store.phase',
  store: 'revalidate.store',
  errorType: 'error.type',
} as const

/** Why a fetch was called: no entry, one past its stale window, one of another version, or a stale one (a refresh). */
export type EntryState = 'absent' | 'expired' | 'other-version' | 'stale'
/** Which store operation failed. */
export type StorePhase = 'read' | 'write' | 'fence' | 'lock' | 'invalidate' | 'subscribe'

/** A fetch as telemetry sees it: what it was called for, and once it ends, how it ended. */
export interface TracedFetch {
  readonly key: string
  readonly reason: FetchReason
  readonly state: EntryState
  readonly version: string | undefined
  readonly ttlMs: number
  readonly tags: ReadonlySet<string>
  span?: SpanLike
}

/**
 * The `prefix` form of a key: the part before the first `:` or `/`; for a page key, `page:` and
 * the first segment of its path.
 *
 *   posts:all -> posts    page:/posts/hello -> page:/posts    page:/ -> page:/    user/42 -> user
 */
export function keyPrefix(key: string): string {
  const from = key.startsWith('page:/') ? 6 : 0
  for (let i = from; i < key.length; i++) {
    const code = key.charCodeAt(i)
    if (code === 58 /* : */ || code === 47 /* / */ || (from > 0 && (code === 35 /* # */ || code === 63) /* ? */)) return key.slice(0, i)
  }
  return key
}

/** Lookups of one `revalidate.key` value, by result, with the attributes each result goes out with. */
interface Series extends Record<LookupResult, number> {
  attributes: Record<LookupResult, Attributes>
}

interface Instruments {
  refreshes: ReturnType<MeterLike['createCounter']>
  invalidations: ReturnType<MeterLike['createCounter']>
  storeErrors: ReturnType<MeterLike['createCounter']>
  fetchDuration: ReturnType<MeterLike['createHistogram']>
  servedAge: ReturnType<MeterLike['createHistogram']>
  /** Stops the observable callbacks (a disposed cache). */
  stop(): void
}

/**
 * `@opentelemetry/api` as the app has it, through Node's `createRequire` (from this module, then
 * from the working directory, for a bundle whose `import.meta.url` names where it was built);
 * undefined where it is not installed or there is no `createRequire`.
 */
function loadApi(): OpenTelemetryApi | undefined {
  const host = globalThis as { process?: { getBuiltinModule?(id: string): unknown; cwd?(): string } }
  let createRequire: ((from: string) => (id: string) => unknown) | undefined
  try {
    createRequire = (host.process?.getBuiltinModule?.('node:module') as { createRequire?: typeof createRequire } | undefined)?.createRequire
  } catch {
    return undefined
  }
  if (createRequire === undefined) return undefined
  const bases = [import.meta.url, `${host.process?.cwd?.() ?? '.'}/`]
  for (const base of bases) {
    try {
      const api = createRequire(base)('@opentelemetry/api') as Partial<OpenTelemetryApi>
      if (typeof api.metrics?.getMeterProvider === 'function' && typeof api.trace?.getTracerProvider === 'function') return api as OpenTelemetryApi
    } catch {
      // Not installed, or not resolvable from there.
    }
  }
  return undefined
}

/**
 * The telemetry of a cache, or undefined when it is off. `true` without an installed API is
 * reported through `report` (once, at the cache's making), and the cache runs without.
 */
export function createTelemetry(
  option: boolean | TelemetryOptions | undefined,
  cache: { name: string; store: CacheStore },
  report: (error: Error) => void,
): CacheTelemetry | undefined {
  if (option === undefined || option === false) return undefined
  if (option !== true && (typeof option !== 'object' || option === null)) {
    throw new TypeError(`createCache: telemetry must be true, false or { meterProvider, tracerProvider, keyAttribute }, got ${String(option)}`)
  }
  const options: TelemetryOptions = option === true ? {} : option
  const keyAttribute = options.keyAttribute ?? 'prefix'
  if (keyAttribute !== 'full' && keyAttribute !== 'prefix' && keyAttribute !== 'none') {
    throw new TypeError(`createCache: telemetry.keyAttribute must be 'full', 'prefix' or 'none', got ${JSON.stringify(keyAttribute)}`)
  }
  const api = options.meterProvider !== undefined && options.tracerProvider !== undefined ? undefined : loadApi()
  const meterProvider = options.meterProvider ?? (api === undefined ? undefined : () => api.metrics.getMeterProvider())
  const tracerProvider = options.tracerProvider ?? (api === undefined ? undefined : () => api.trace.getTracerProvider())
  if (meterProvider === undefined && tracerProvider === undefined) {
    report(
      new Error(
        'telemetry is on, but @opentelemetry/api could not be loaded (it is not installed, or this runtime has no require): ' +
          'the cache runs without telemetry. Install @opentelemetry/api, or pass { meterProvider, tracerProvider }.',
      ),
    )
    return undefined
  }
  return new CacheTelemetry({ ...cache, keyAttribute, meterProvider, tracerProvider })
}

type Lazy<T> = T | (() => T)
const resolve = <T extends object>(lazy: Lazy<T>): T => (typeof lazy === 'function' ? (lazy as () => T)() : lazy)

export class CacheTelemetry {
  readonly #cacheName: string
  readonly #store: CacheStore
  readonly #keyAttribute: KeyAttribute
  /** Asked once for a meter and a tracer, then forgotten: a provider that throws is not asked on every fetch. */
  #meterProvider: Lazy<MeterProviderLike> | undefined
  #tracerProvider: Lazy<TracerProviderLike> | undefined
  #instruments: Instruments | undefined
  #tracer: TracerLike | undefined
  /** Series by key (a memo, emptied when it grows past MAX_SERIES) and by attribute value. */
  readonly #seriesByKey = new Map<string, Series>()
  readonly #seriesByValue = new Map<string | undefined, Series>()

  constructor(options: {
    name: string
    store: CacheStore
    keyAttribute: KeyAttribute
    meterProvider: Lazy<MeterProviderLike> | undefined
    tracerProvider: Lazy<TracerProviderLike> | undefined
  }) {
    this.#cacheName = options.name
    this.#store = options.store
    this.#keyAttribute = options.keyAttribute
    this.#meterProvider = options.meterProvider
    this.#tracerProvider = options.tracerProvider
  }

  /**
   * The hot path: one more lookup of `key`'s series, and, for a lookup the cache's stats sampled
   * (`sampledAgeMs` given), the age of the value it served.
   */
  lookup(result: LookupResult, key: string, sampledAgeMs?: number): void {
    const series = this.#seriesByKey.get(key) ?? this.#seriesFor(key)
    // Named fields, not counts[result]: a count looked up by name costs the hot path (see cache-stats.ts).
    if (result === 'hit') series.hit++
    else if (result === 'stale') series.stale++
    else series.miss++
    if (sampledAgeMs !== undefined) this.#servedAge(result, key, sampledAgeMs)
  }

  #seriesFor(key: string): Series {
    const value = this.#keyValue(key)
    let series = this.#seriesByValue.get(value) ?? (this.#seriesByValue.size >= MAX_SERIES ? this.#seriesByValue.get(OTHER_KEYS) : undefined)
    if (series === undefined) {
      const seriesValue = this.#seriesByValue.size >= MAX_SERIES ? OTHER_KEYS : value
      const attributes = (result: LookupResult) => this.#attributes(seriesValue, { [ATTRIBUTES.result]: result })
      series = { hit: 0, stale: 0, miss: 0, attributes: { hit: attributes('hit'), stale: attributes('stale'), miss: attributes('miss') } }
      this.#seriesByValue.set(seriesValue, series)
    }
    if (this.#seriesByKey.size >= MAX_SERIES) this.#seriesByKey.clear()
    this.#seriesByKey.set(key, series)
    return series
  }

  #servedAge(result: LookupResult, key: string, ageMs: number): void {
    callSafely(() => this.#meter()?.servedAge.record(ageMs / 1000, this.#attributes(this.#keyValue(key), { [ATTRIBUTES.result]: result })), ignore)
  }

  /**
   * Runs `work` (a fetch) inside its span, a child of the span active where the fetch was asked
   * for. A tracer that throws leaves the fetch to run without a span, never twice.
   */
  traceFetch<T>(fetch: TracedFetch, work: () => Promise<T>): Promise<T> {
    let tracer: TracerLike | undefined
    try {
      tracer = this.#getTracer()
    } catch {
      tracer = undefined
    }
    if (tracer === undefined) return work()
    const attributes = this.#attributes(this.#keyValue(fetch.key), {
      [ATTRIBUTES.reason]: fetch.reason,
      [ATTRIBUTES.state]: fetch.state,
      [ATTRIBUTES.ttl]: fetch.ttlMs / 1000,
    })
    if (fetch.version !== undefined) attributes[ATTRIBUTES.version] = fetch.version
    let running: Promise<T> | undefined
    try {
      return tracer.startActiveSpan(`revalidate ${fetch.reason}`, { kind: SPAN_KIND_INTERNAL, attributes }, (span) => {
        fetch.span = span
        return (running = work())
      })
    } catch {
      return running ?? work()
    }
  }

  /** A fetch ended: its span, its duration (when the fetcher ran here), and for a refresh, its outcome. */
  fetchEnded(fetch: TracedFetch, outcome: FetchOutcome, fetchMs: number | undefined, error: unknown): void {
    callSafely(() => this.#reportFetch(fetch, outcome, fetchMs, error), ignore)
  }

  #reportFetch(fetch: TracedFetch, outcome: FetchOutcome, fetchMs: number | undefined, error: unknown): void {
    const span = fetch.span
    if (span !== undefined) {
      const attributes: Attributes = { [ATTRIBUTES.outcome]: outcome }
      if (fetch.tags.size > 0) attributes[ATTRIBUTES.tags] = [...fetch.tags]
      span.setAttributes(attributes)
      if (outcome === 'error' || outcome === 'timeout') {
        if (error instanceof Error || typeof error === 'string') span.recordException(error)
        span.setStatus({ code: STATUS_ERROR, message: error instanceof Error ? error.message : String(error) })
      }
      span.end()
    }
    const instruments = this.#meter()
    if (instruments === undefined) return
    const attributes = this.#attributes(this.#keyValue(fetch.key), { [ATTRIBUTES.reason]: fetch.reason, [ATTRIBUTES.outcome]: outcome })
    if (outcome === 'error') attributes[ATTRIBUTES.errorType] = errorType(error)
    if (fetchMs !== undefined) instruments.fetchDuration.record(fetchMs / 1000, attributes)
    if (fetch.reason === 'refresh') {
      const refresh = this.#attributes(this.#keyValue(fetch.key), { [ATTRIBUTES.outcome]: outcome })
      instruments.refreshes.add(1, refresh)
    }
  }

  invalidated(invalidation: Invalidation, remote: boolean): void {
    const attributes: Attributes = { [ATTRIBUTES.cache]: this.#cacheName, [ATTRIBUTES.kind]: invalidation.kind, [ATTRIBUTES.remote]: remote }
    callSafely(() => this.#meter()?.invalidations.add(1, attributes), ignore)
  }

  storeError(phase: StorePhase, error: unknown): void {
    const attributes: Attributes = { [ATTRIBUTES.cache]: this.#cacheName, [ATTRIBUTES.phase]: phase, [ATTRIBUTES.errorType]: errorType(error) }
    if (this.#store.kind !== undefined) attributes[ATTRIBUTES.store] = this.#store.kind
    callSafely(() => this.#meter()?.storeErrors.add(1, attributes), ignore)
  }

  dispose(): void {
    callSafely(() => this.#instruments?.stop(), ignore)
  }

  #keyValue(key: string): string | undefined {
    if (this.#keyAttribute === 'none') return undefined
    return this.#keyAttribute === 'full' ? key : keyPrefix(key)
  }

  #attributes(keyValue: string | undefined, rest: Attributes): Attributes {
    const attributes: Attributes = { [ATTRIBUTES.cache]: this.#cacheName, ...rest }
    if (keyValue !== undefined) attributes[ATTRIBUTES.key] = keyValue
    return attributes
  }

  #getTracer(): TracerLike | undefined {
    const provider = this.#tracerProvider
    this.#tracerProvider = undefined
    if (provider !== undefined) this.#tracer = resolve(provider).getTracer(SCOPE)
    return this.#tracer
  }

  #meter(): Instruments | undefined {
    const provider = this.#meterProvider
    this.#meterProvider = undefined
    if (provider !== undefined) this.#instruments = this.#createInstruments(resolve(provider).getMeter(SCOPE))
    return this.#instruments
  }

  #createInstruments(meter: MeterLike): Instruments {
    const lookups = meter.createObservableCounter('revalidate.lookups', { unit: '{lookup}', description: 'Cache lookups (withRevalidate calls) by what they found.' })
    const observeLookups: Parameters<ObservableLike['addCallback']>[0] = (result) => {
      for (const series of this.#seriesByValue.values()) {
        for (const lookup of ['hit', 'stale', 'miss'] as const) {
          if (series[lookup] > 0) result.observe(series[lookup], series.attributes[lookup])
        }
      }
    }
    lookups.addCallback(observeLookups)
    const entries = meter.createObservableGauge('revalidate.store.entries', { unit: '{entry}', description: "Entries the store keeps in this process's memory." })
    const bytes = meter.createObservableGauge('revalidate.store.bytes', { unit: 'By', description: "Bytes (serialized) of the entries the store keeps in this process's memory." })
    const storeAttributes: Attributes = { [ATTRIBUTES.cache]: this.#cacheName, [ATTRIBUTES.store]: this.#store.kind ?? 'custom' }
    const observeEntries: Parameters<ObservableLike['addCallback']>[0] = (result) => {
      const usage = readUsage(this.#store)
      if (usage !== undefined) result.observe(usage.entries, storeAttributes)
    }
    const observeBytes: Parameters<ObservableLike['addCallback']>[0] = (result) => {
      const usage = readUsage(this.#store)
      if (usage?.bytes !== undefined) result.observe(usage.bytes, storeAttributes)
    }
    entries.addCallback(observeEntries)
    bytes.addCallback(observeBytes)
    return {
      refreshes: meter.createCounter('revalidate.refreshes', { unit: '{refresh}', description: 'Background refreshes of stale entries, by outcome.' }),
      invalidations: meter.createCounter('revalidate.invalidations', { unit: '{invalidation}', description: 'Invalidations, by kind.' }),
      storeErrors: meter.createCounter('revalidate.store.errors', { unit: '{error}', description: 'Failed store operations, by phase.' }),
      fetchDuration: meter.createHistogram('revalidate.fetch.duration', { unit: 's', description: 'Time in the fetcher, for misses and refreshes apart.' }),
      servedAge: meter.createHistogram('revalidate.served.age', { unit: 's', description: 'Age of the values served from the cache (hits and stale reads, sampled).' }),
      stop() {
        lookups.removeCallback(observeLookups)
        entries.removeCallback(observeEntries)
        bytes.removeCallback(observeBytes)
      },
    }
  }
}

/** Reporting never fails serving: what a provider or SDK throws is dropped. */
const ignore = () => {}

/** The store's memory usage, or undefined when it cannot tell or its getter throws. */
export function readUsage(store: CacheStore): { entries: number; bytes?: number } | undefined {
  try {
    return store.memoryUsage
  } catch {
    return undefined
  }
}

/** `error.type` as OpenTelemetry's conventions have it: the error's name (class), low in cardinality. */
function errorType(error: unknown): string {
  if (error instanceof Error) return error.name
  return typeof error === 'object' && error !== null ? 'object' : typeof error
}
