// 5. Memory: heap per cached entry of a 1 KB object, and the heap after 1,000,000 distinct keys
// through a cache bounded to 10,000 entries. Measured in a child process started with --expose-gc.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { createCache, MemoryStore } from '@revalidate/runtime'
import { LRUCache } from 'lru-cache'
import { fixed, table, verdict } from './lib/measure.mjs'

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

export async function run() {
  const output = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--probe'], { encoding: 'utf8' })
  const result = JSON.parse(output)
  const mb = (bytes) => fixed(bytes / 1024 / 1024, 1)
  const bounded = result.afterMillion < 50 * 1024 * 1024
  const markdown = [
    '## 5. Memory',
    '',
    `Heap measured after \`gc()\` in a child process (\`node --expose-gc\`). Values: ${ENTRIES.toLocaleString('en')} distinct objects of about 1 KB (${fixed(result.valueBytes, 0)} bytes of heap each).`,
    '',
    table(['', '**revalidate** (MemoryStore)', 'lru-cache (`max`, `ttl`)'], [
      ['heap per entry, beyond the value itself', `${fixed(result.oursPerEntry, 0)} B`, `${fixed(result.lruPerEntry, 0)} B`],
      [`heap per entry with its 1 KB value`, `${fixed(result.oursPerEntry + result.valueBytes, 0)} B`, `${fixed(result.lruPerEntry + result.valueBytes, 0)} B`],
      [`heap growth after ${DISTINCT_KEYS.toLocaleString('en')} distinct keys, bound ${BOUND.toLocaleString('en')}`, `${mb(result.afterMillion)} MB`, `${mb(result.lruAfterMillion)} MB`],
    ]),
    '',
    `Bounded: ${DISTINCT_KEYS.toLocaleString('en')} keys leave ${mb(result.afterMillion)} MB, what ${BOUND.toLocaleString('en')} small entries take (${verdict(bounded)}). An entry keeps its value, the time it was stored, its ttl, stale window, tags and version: the price of judging freshness per call.`,
  ].join('\n')
  return { markdown, targets: { bounded }, headline: { perEntry: result.oursPerEntry } }
}

if (process.argv.includes('--probe')) {
  process.stdout.write(JSON.stringify(await probe()))
}
