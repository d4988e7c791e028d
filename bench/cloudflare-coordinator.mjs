// 7. Cloudflare: what the Durable Object coordinator costs, measured in workerd (Miniflare).
// How many calls one coordinator object answers per second, by kind; then how many reads of one
// page's data a Worker makes per second through the plain Cache API store and through one with
// the coordinator (syncSeconds 1, its syncs included), from memory (hits) and from the Cache API
// (memory tier off). Reads are counted inside the Worker: over HTTP, this machine's noise is
// larger than the store's whole cost.
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { buildWorker } from '../test/build-worker.ts'
import { fixed, median, table, verdict } from './lib/measure.mjs'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
const OUT = fileURLToPath(new URL('./fixtures/dist-coordinator/', import.meta.url))
const LOAD_MS = 3000
const RPC_CONCURRENCY = 32
const READ_MS = 2000
/** Rounds per store, alternating which goes first: one run on a shared 2-core machine varies by a quarter. */
const ROUNDS = 5

export async function run() {
  const script = await buildWorker({ root: FIXTURES, entry: `${FIXTURES}coordinator-worker.js`, outDir: OUT })
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    compatibilityDate: '2025-09-01',
    durableObjects: { REVALIDATE: { className: 'RevalidateCoordinator', useSQLite: true } },
  })
  try {
    const origin = (await mf.ready).origin
    const ask = async (query) => (await mf.dispatchFetch(`${origin}/?${new URLSearchParams(query)}`)).json()
    // One coordinator object: calls answered per second, by kind.
    const rpc = {}
    for (const op of ['sync', 'check', 'lease', 'invalidate']) {
      const reply = await ask({ op, concurrency: RPC_CONCURRENCY, ms: LOAD_MS })
      rpc[op] = reply.calls / reply.seconds
    }
    // Reads per second through each store, rounds alternating which store goes first.
    const reads = {}
    for (const memory of ['memory', 'cache-api']) {
      const runs = { plain: [], coordinated: [] }
      for (let round = 0; round < ROUNDS; round++) {
        for (const store of round % 2 === 0 ? ['plain', 'coordinated'] : ['coordinated', 'plain']) {
          const reply = await ask({ store, memory, ms: READ_MS })
          runs[store].push(reply.reads / reply.seconds)
        }
      }
      reads[memory] = { plain: median(runs.plain), coordinated: median(runs.coordinated) }
    }
    const hitRatio = reads.memory.coordinated / reads.memory.plain
    const readRatio = reads['cache-api'].coordinated / reads['cache-api'].plain
    const targets = { hits: hitRatio >= 0.9 }
    const markdown = [
      '## 7. Cloudflare: the Durable Object coordinator',
      '',
      "In workerd through Miniflare, on this machine's cores: the object, the driving Worker and the load generator share them, so these are figures of this machine, not of Cloudflare's network.",
      '',
      `One \`RevalidateCoordinator\` object, ${RPC_CONCURRENCY} calls in flight for ${LOAD_MS / 1000} s per kind:`,
      '',
      table(['call', 'calls/s'], [
        ['`sync` with nothing new (what each isolate sends at most once per syncSeconds)', fixed(rpc.sync, 0)],
        ['`sync` asking about one entry (a cold read of an entry older than the isolate)', fixed(rpc.check, 0)],
        ['`acquire` + `release` (one per miss or refresh, counted as two calls)', fixed(rpc.lease, 0)],
        ['`invalidate` of a key (SQLite write)', fixed(rpc.invalidate, 0)],
      ]),
      '',
      `Reads of one page's data in a Worker, one after another for ${READ_MS / 1000} s, syncSeconds 1 (syncs included); the median of ${ROUNDS} runs per store, alternating which goes first. Miniflare's Cache API is a local stand-in, slower than production's:`,
      '',
      table(['read', 'plain Cache API store (reads/s)', 'with the coordinator (reads/s)', 'ratio'], [
        ['from the memory tier (a hit)', fixed(reads.memory.plain, 0), fixed(reads.memory.coordinated, 0), fixed(hitRatio, 2)],
        ['from the Cache API (memory tier off)', fixed(reads['cache-api'].plain, 0), fixed(reads['cache-api'].coordinated, 0), fixed(readRatio, 2)],
      ]),
      '',
      `The coordinator adds one sync per isolate per second to what the store does: a hit with it costs ${fixed(1 / hitRatio, 2)}x a hit of the plain store (target: reads at least 0.9x as fast: ${verdict(targets.hits)}), a Cache API read ${fixed(1 / readRatio, 2)}x.`,
    ].join('\n')
    return { markdown, targets, headline: { syncPerSecond: rpc.sync, hitRatio, readRatio } }
  } finally {
    await mf.dispose()
    rmSync(OUT, { recursive: true, force: true })
  }
}
