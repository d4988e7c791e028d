// 5. Memory: heap per cached entry of a 1 KB object, and the heap after 1,000,000 distinct keys
// through a cache bounded to 10,000 entries. Measured in a child process started with --expose-gc.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { createCache, MemoryStore } from '@revalidate/runtime'
import { LRUCache } from 'lru-cache'
import { fixed, spreadOf, spreadText, table, target, targetLines } from './lib/measure.mjs'

const ENTRIES = 50_000
const DISTINCT_KEYS = 1_000_000
const BOUND = 10_000

function heapUsed() {
  globalThis.gc()
  globalThis.gc()
  return process.memoryUsage().heapUsed
}

/** A distinct object of about 1 KB: a flat 1,000-character string and a few fields. */
const kilobyteObject = (i) => ({ id: i, title: `post ${i}`, body: randomBytes(500).toString('hex') })

async function probe() {
  const baseline = heapUsed()
  const values = Array.from({ length: ENTRIES }, (_, i) => kilobyteObject(i))
  const valuesOnly = heapUsed() - baseline

  const ours = createCache({ store: new MemoryStore({ maxEntries: ENTRIES }) })
  for (let i = 0; i < ENTRIES; i++) await ours.withRevalidate(`post:${i}`, 60, () => values[i])
  const withOurs = heapUsed() - baseline

  const lru = new LRUCache({ max: ENTRIES, ttl: 60_000 })
  for (let i = 0; i < ENTRIES; i++) lru.set(`post:${i}`, values[i])
  const withLru = heapUsed() - baseline - withOurs

  const bounded = createCache({ store: new MemoryStore({ maxEntries: BOUND }) })
  const beforeBounded = heapUsed()
  for (let i = 0; i < DISTINCT_KEYS; i++) await bounded.withRevalidate(`key:${i}`, 60, () => ({ i }))
  const afterMillion = heapUsed() - beforeBounded
  const boundedLru = new LRUCache({ max: BOUND, ttl: 60_000 })
  const beforeLru = heapUsed()
  for (let i = 0; i < DISTINCT_KEYS; i++) boundedLru.set(`key:${i}`, { i })
  const lruAfterMillion = heapUsed() - beforeLru
  return {
    valueBytes: valuesOnly / ENTRIES,
    oursPerEntry: (withOurs - valuesOnly) / ENTRIES,
    lruPerEntry: withLru / ENTRIES,
    afterMillion,
    lruAfterMillion,
    keep: [values.length, ours, lru, bounded, boundedLru].length, // keeps every structure alive until measured
  }
}

const PROBES = 3

export async function run() {
  // Each probe in a fresh process; the figures are their min / median / max.
  const probes = Array.from({ length: PROBES }, () => JSON.parse(execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--probe'], { encoding: 'utf8' })))
  const of = (name) => spreadOf(probes.map((probe) => probe[name]))
  const [ours, lru, value] = [of('oursPerEntry'), of('lruPerEntry'), of('valueBytes')]
  const [million, lruMillion] = [of('afterMillion'), of('lruAfterMillion')]
  const kb = (bytes) => fixed(bytes / 1024 / 1024, 1)
  const mbSpread = (spread) => `${kb(spread.min)} / ${kb(spread.median)} / ${kb(spread.max)} MB`
  const bytesSpread = (spread) => `${spreadText(spread, 0)} B`
  const bounded = million.max < 50 * 1024 * 1024
  const targets = [
    target(
      'heap per entry beyond the value',
      "≤ lru-cache's",
      `${fixed(ours.median, 0)} B vs ${fixed(lru.median, 0)} B`,
      ours.median <= lru.median,
      `missed by ${fixed(ours.median - lru.median, 0)} B per entry (${fixed((ours.median / lru.median - 1) * 100, 0)}%): an entry here is an object (value, storedAt, ttlMs, staleMs: 56 B, and storedAt as a heap number: 16 B, on 64-bit Node) in a Map; lru-cache keeps no object per entry, only slots in arrays it allocates for \`max\` (keys, values, Float64Arrays of start times and ttls). To close it: a MemoryStore laid out as lru-cache is (slots in typed arrays, no object per entry), which the store interface (\`get\` returns an entry object) would make pay an object per hit`,
    ),
    target(`heap after ${DISTINCT_KEYS.toLocaleString('en')} distinct keys through \`maxEntries: ${BOUND.toLocaleString('en')}\``, 'bounded (< 50 MB)', `${kb(million.max)} MB at most`, bounded, 'entries past the bound were kept'),
  ]
  const markdown = [
    '## 5. Memory',
    '',
    `Heap measured after \`gc()\` in a child process (\`node --expose-gc\`), ${PROBES} processes, each figure their min / median / max. Values: ${ENTRIES.toLocaleString('en')} distinct objects of about 1 KB (${fixed(value.median, 0)} bytes of heap each).`,
    '',
    table(['', '**revalidate** (MemoryStore)', 'lru-cache (`max`, `ttl`)'], [
      ['heap per entry, beyond the value itself', bytesSpread(ours), bytesSpread(lru)],
      ['heap per entry with its 1 KB value (medians)', `${fixed(ours.median + value.median, 0)} B`, `${fixed(lru.median + value.median, 0)} B`],
      [`heap growth after ${DISTINCT_KEYS.toLocaleString('en')} distinct keys, bound ${BOUND.toLocaleString('en')}`, mbSpread(million), mbSpread(lruMillion)],
    ]),
    '',
    targetLines(targets),
  ].join('\n')
  return { markdown, targets }
}

if (process.argv.includes('--probe')) {
  process.stdout.write(JSON.stringify(await probe()))
}
