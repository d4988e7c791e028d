// Random sequences of reads, clock moves, invalidations and failing or slow fetchers, run against
// the real cache and against a small reference model of the rules every store keeps
// (docs/architecture.md). Every read's outcome and the number of fetcher calls must agree after
// every step.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCache } from '../src/index.js'
import { deferred, manualClock, settle, type Deferred } from './helpers.js'

const TTL = 10
const STALE = 20
const RETRY_AFTER = 5

type Mode = 'ok' | 'fail' | 'slow'
type Op =
  | { op: 'read'; key: string; mode: Mode; version: string | undefined }
  | { op: 'advance'; seconds: number }
  | { op: 'invalidate'; key: string }
  | { op: 'invalidateAll' }
  | { op: 'settle'; index: number; ok: boolean }

type Outcome = { value: string } | { error: string }

interface ModelFlight {
  key: string
  version: string | undefined
  kind: 'miss' | 'refresh'
  fenced: boolean
  waiters: number[]
}

/** A fetch is shared only by callers of the same key and version. */
const flightId = (key: string, version: string | undefined) => `${key}@${version ?? ''}`

/** The semantics, written the plain way: synchronous, no promises, one Map per concern. */
class Model {
  time = 0
  calls = 0
  entries = new Map<string, { value: string; storedAt: number; version: string | undefined }>()
  flights = new Map<string, ModelFlight>()
  retryAt = new Map<string, number>()
  pending: ModelFlight[] = []
  expected = new Map<number, Outcome | 'pending'>()

  read(readId: number, key: string, mode: Mode, version: string | undefined): void {
    const stored = this.entries.get(key)
    const entry = stored?.version === version ? stored : undefined
    const age = entry ? this.time - entry.storedAt : Infinity
    if (entry && age < TTL * 1000) return void this.expected.set(readId, { value: entry.value })
    if (entry && age < (TTL + STALE) * 1000) {
      this.expected.set(readId, { value: entry.value })
      const retryAt = this.retryAt.get(key)
      if (!this.flights.has(flightId(key, version)) && !(retryAt !== undefined && this.time < retryAt)) this.fetch(key, version, mode, 'refresh', [])
      return
    }
    const running = this.flights.get(flightId(key, version))
    if (running) {
      running.waiters.push(readId)
      return void this.expected.set(readId, 'pending')
    }
    this.fetch(key, version, mode, 'miss', [readId])
  }

  fetch(key: string, version: string | undefined, mode: Mode, kind: 'miss' | 'refresh', waiters: number[]): void {
    this.calls += 1
    const flight: ModelFlight = { key, version, kind, fenced: false, waiters }
    if (mode === 'slow') {
      this.flights.set(flightId(key, version), flight)
      this.pending.push(flight)
      for (const id of waiters) this.expected.set(id, 'pending')
      return
    }
    this.finish(flight, mode === 'ok' ? `f${this.calls}` : undefined, `e${this.calls}`)
  }

  finish(flight: ModelFlight, value: string | undefined, error: string): void {
    const id = flightId(flight.key, flight.version)
    if (this.flights.get(id) === flight) this.flights.delete(id)
    if (value !== undefined && !flight.fenced) {
      this.entries.set(flight.key, { value, storedAt: this.time, version: flight.version })
      this.retryAt.delete(flight.key)
    }
    if (value === undefined && flight.kind === 'refresh' && !flight.fenced) {
      this.retryAt.set(flight.key, this.time + RETRY_AFTER * 1000)
    }
    for (const id of flight.waiters) this.expected.set(id, value !== undefined ? { value } : { error })
  }

  invalidate(key: string | undefined): void {
    for (const [id, flight] of this.flights) {
      if (key !== undefined && flight.key !== key) continue
      flight.fenced = true
      this.flights.delete(id)
    }
    if (key === undefined) {
      this.entries.clear()
      this.retryAt.clear()
    } else {
      this.entries.delete(key)
      this.retryAt.delete(key)
    }
  }
}

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('read' as const), key: fc.constantFrom('a', 'b'), mode: fc.constantFrom<Mode>('ok', 'ok', 'fail', 'slow'), version: fc.constantFrom(undefined, undefined, undefined, 'v2') }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 35 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('invalidate' as const), key: fc.constantFrom('a', 'b') }) },
  { weight: 1, arbitrary: fc.constant({ op: 'invalidateAll' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('settle' as const), index: fc.nat(), ok: fc.boolean() }) },
)

async function runAgainstModel(ops: Op[]): Promise<void> {
  const model = new Model()
  const clock = manualClock(0)
  const cache = createCache({ now: clock.now, staleSeconds: STALE, retryAfterSeconds: RETRY_AFTER })
  let calls = 0
  const pending: Deferred<string>[] = []
  const outcomes = new Map<number, Outcome>()
  let reads = 0

  for (const [stepNumber, step] of ops.entries()) {
    if (step.op === 'read') {
      const readId = reads++
      const fetcher = () => {
        calls += 1
        if (step.mode === 'fail') throw new Error(`e${calls}`)
        if (step.mode === 'ok') return `f${calls}`
        const slow = deferred<string>()
        pending.push(slow)
        return slow.promise
      }
      cache.withRevalidate(step.key, TTL, fetcher, step.version === undefined ? undefined : { version: step.version }).then(
        (value) => outcomes.set(readId, { value }),
        (error: Error) => outcomes.set(readId, { error: error.message }),
      )
      model.read(readId, step.key, step.mode, step.version)
    } else if (step.op === 'advance') {
      clock.advance(step.seconds)
      model.time += step.seconds * 1000
    } else if (step.op === 'invalidate') {
      await cache.invalidate(step.key)
      model.invalidate(step.key)
    } else if (step.op === 'invalidateAll') {
      await cache.invalidateAll()
      model.invalidate(undefined)
    } else if (pending.length > 0) {
      const index = step.index % pending.length
      const [slow] = pending.splice(index, 1)
      const [flight] = model.pending.splice(index, 1)
      const answer = `s${stepNumber}`
      if (step.ok) slow!.resolve(answer)
      else slow!.reject(new Error(answer))
      model.finish(flight!, step.ok ? answer : undefined, answer)
    }
    await settle()
    expect(calls).toBe(model.calls)
    for (const [readId, expected] of model.expected) {
      if (expected === 'pending') expect(outcomes.has(readId)).toBe(false)
      else expect(outcomes.get(readId)).toEqual(expected)
    }
  }
}

describe('reference model', () => {
  it('random sequences of calls, clock moves, invalidations and failing or slow fetchers agree with the model', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArbitrary, { maxLength: 60 }), runAgainstModel), { numRuns: 400 })
  })
})
