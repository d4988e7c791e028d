// 7b. Cloudflare: a hit through the Cloudflare store inside workerd (Miniflare) against a bare
// `caches.default.match`, the least any read of the Cache API costs. Reads are counted inside
// the Worker, rounds alternating which kind goes first.
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { buildWorker } from '../test/build-worker.ts'
import { atMost, fixed, spreadOf, spreadText, table, targetLines } from './lib/measure.mjs'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
const OUT = fileURLToPath(new URL('./fixtures/dist-hit/', import.meta.url))
const READ_MS = 500
const ROUNDS = 7
const KINDS = ['match', 'memory', 'cache-api']

export async function run() {
  const script = await buildWorker({ root: FIXTURES, entry: `${FIXTURES}cloudflare-hit-worker.js`, outDir: OUT })
  const mf = new Miniflare({ modules: true, scriptPath: script, compatibilityDate: '2025-09-01' })
  try {
    const origin = (await mf.ready).origin
    await mf.dispatchFetch(`${origin}/?setup`)
    const micros = Object.fromEntries(KINDS.map((kind) => [kind, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < KINDS.length; i++) {
        const kind = KINDS[(i + round) % KINDS.length]
        const reply = await (await mf.dispatchFetch(`${origin}/?kind=${kind}&ms=${READ_MS}`)).json()
        micros[kind].push((reply.ms * 1000) / reply.reads)
      }
    }
    const spreads = Object.fromEntries(KINDS.map((kind) => [kind, spreadOf(micros[kind])]))
    const hitRatio = spreads.memory.median / spreads.match.median
    const perRound = micros.memory.map((value, round) => value / micros.match[round])
    const targets = [atMost('a Cloudflare store hit (memory tier) vs a bare `caches.default.match`, in workerd', hitRatio, 1, { why: 'the memory tier was not used' })]
    const row = (name, kind) => [name, spreadText(spreads[kind], 2), fixed(spreads[kind].median / spreads.match.median, 3)]
    const markdown = [
      '### 7b. Cloudflare: a store hit against a bare Cache API match',
      '',
      `In workerd through Miniflare: one page's data (20 posts) read one read after another for ${READ_MS} ms, ${ROUNDS} rounds per kind, the order rotated each round; reads are counted inside the Worker. Miniflare's Cache API is a local stand-in (each call goes out of workerd to Node), slower than production's, so the gap is wider here than on Cloudflare.`,
      '',
      table(['read', 'µs per read: min / median / max', 'x match (medians)'], [
        row('`caches.default.match` of a stored response (the floor)', 'match'),
        row('**revalidate** Cloudflare store, memory tier (a hit; syncSeconds 1, its checks included)', 'memory'),
        row('**revalidate** Cloudflare store, memory tier off (every read from the Cache API)', 'cache-api'),
      ]),
      '',
      `Round by round, a hit took ${fixed(Math.min(...perRound), 4)}x to ${fixed(Math.max(...perRound), 4)}x a match.`,
      '',
      targetLines(targets),
    ].join('\n')
    return { markdown, targets }
  } finally {
    await mf.dispose()
    rmSync(OUT, { recursive: true, force: true })
  }
}
