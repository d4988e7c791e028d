// 2. Stampedes: 10,000 concurrent callers on a cold key and on a stale key. How many times does
// each implementation call the fetcher?
import { cachified, totalTtl } from '@epic-web/cachified'
import { createCache } from '@revalidate/runtime'
import { LRUCache } from 'lru-cache'
import { median, table, target, targetLines } from './lib/measure.mjs'
import { naiveSwr } from './lib/naive-swr.mjs'

const CALLERS = 10_000
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function countingFetcher() {
  const fetcher = async () => {
    fetcher.calls++
    await sleep(20)
    return { at: Date.now() }
  }
  fetcher.calls = 0
  return fetcher
}

/** Each implementation as `read(key, ttlMs, fetcher)`, with a fresh cache per scenario. */
const implementations = {
  '**revalidate**': () => {
    const cache = createCache()
    return (key, ttlMs, fetcher) => cache.withRevalidate(key, ttlMs / 1000, fetcher)
  },
  'lru-cache `fetch()` (allowStale)': () => {
    const fetchers = new Map()
    const lru = new LRUCache({ max: 1000, allowStale: true, fetchMethod: (key) => fetchers.get(key)() })
    return (key, ttlMs, fetcher) => {
      fetchers.set(key, fetcher)
      return lru.fetch(key, { ttl: ttlMs })
    }
  },
  '@epic-web/cachified + lru-cache': () => {
    const lru = new LRUCache({ max: 1000 })
    const cache = {
      set: (key, value) => lru.set(key, value, { ttl: totalTtl(value?.metadata) === Infinity ? undefined : totalTtl(value?.metadata) }),
      get: (key) => lru.get(key),
      delete: (key) => lru.delete(key),
    }
    return (key, ttlMs, fetcher) => cachified({ key, cache, getFreshValue: fetcher, ttl: ttlMs, staleWhileRevalidate: 60_000 })
  },
  'naive Map-based SWR': () => {
    const run = Math.random() // the naive function keeps one module-level Map: a fresh key per scenario
    return (key, ttlMs, fetcher) => naiveSwr(`${key}:${run}`, ttlMs / 1000, fetcher)
  },
}

async function scenario(makeRead, stale) {
  const read = makeRead()
  const key = `stampede:${stale ? 'stale' : 'cold'}`
  const ttlMs = 50
  if (stale) {
    await read(key, ttlMs, countingFetcher())
    await sleep(ttlMs + 10)
  }
  const fetcher = countingFetcher()
  await Promise.all(Array.from({ length: CALLERS }, () => read(key, ttlMs, fetcher)))
  await sleep(50) // let background refreshes run
  return fetcher.calls
}

const RUNS = 3

/** Fetcher calls over RUNS runs: the median, and the range when the runs disagree. */
async function calls(makeRead, stale) {
  const counts = []
  for (let i = 0; i < RUNS; i++) counts.push(await scenario(makeRead, stale))
  const [low, high] = [Math.min(...counts), Math.max(...counts)]
  return { median: median(counts), text: low === high ? low.toLocaleString('en') : `${median(counts).toLocaleString('en')} (${low.toLocaleString('en')}–${high.toLocaleString('en')})` }
}

export async function run() {
  const rows = []
  for (const [name, makeRead] of Object.entries(implementations)) {
    rows.push({ name, cold: await calls(makeRead, false), stale: await calls(makeRead, true) })
  }
  const ours = rows[0]
  const targets = [
    target('fetcher calls, 10,000 callers on a cold key', '1', ours.cold.text, ours.cold.median === 1, 'callers started fetches of their own'),
    target('fetcher calls, 10,000 callers on a stale key', '1', ours.stale.text, ours.stale.median === 1, 'callers started refreshes of their own'),
  ]
  const markdown = [
    '## 2. Stampedes: 10,000 concurrent callers',
    '',
    `Fetcher calls when 10,000 callers arrive at once on a cold key, and on a stale key (ttl passed, within the stale window). The fetcher takes 20 ms. Median of ${RUNS} runs, with the range where runs differ.`,
    '',
    table(['implementation', 'cold key', 'stale key'], rows.map((r) => [r.name, r.cold.text, r.stale.text])),
    '',
    targetLines(targets),
  ].join('\n')
  return { markdown, targets }
}
