// 1. The hot path: a fresh hit, ns per call, against the floor (an async Map lookup) and peers.
import { cachified, totalTtl } from '@epic-web/cachified'
import { createCache } from '@revalidate/runtime'
import { LRUCache } from 'lru-cache'
import { fixed, nsPerCall, table, verdict } from './lib/measure.mjs'
import { naiveSwr } from './lib/naive-swr.mjs'

const KEY = 'posts:all'
const VALUE = { posts: [1, 2, 3] }
const fetcher = async () => VALUE

export async function run() {
  const map = new Map([[KEY, VALUE]])
  const floor = async (key) => map.get(key)

  const ours = createCache()
  await ours.withRevalidate(KEY, 3600, fetcher)

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

  const candidates = [
    ['async Map lookup (the floor)', () => floor(KEY)],
    ['**revalidate** `withRevalidate`', () => ours.withRevalidate(KEY, 3600, fetcher)],
    ['lru-cache `fetch()`', () => lru.fetch(KEY)],
    ['@epic-web/cachified + lru-cache', viaCachified],
    ['naive Map-based SWR', () => naiveSwr(KEY, 3600, fetcher)],
  ]
  const results = []
  for (const [name, call] of candidates) results.push({ name, ns: await nsPerCall(call) })
  const floorNs = results[0].ns
  const oursNs = results[1].ns
  const ratio = oursNs / floorNs
  const targets = {
    floor: ratio <= 1.5,
    lru: oursNs < results[2].ns,
    cachified: oursNs < results[3].ns,
  }
  const markdown = [
    '## 1. Hot path: a fresh hit',
    '',
    'Each call is awaited before the next; ns per call is the median of 7 rounds of 200,000 calls.',
    '',
    table(['implementation', 'ns per call', 'x floor'], results.map((r) => [r.name, fixed(r.ns), fixed(r.ns / floorNs, 2)])),
    '',
    `Target: at most 1.5x the floor (${fixed(ratio, 2)}x: ${verdict(targets.floor)}), faster than lru-cache \`fetch()\` (${verdict(targets.lru)}) and cachified (${verdict(targets.cachified)}).`,
  ].join('\n')
  return { markdown, headline: { ratio, vsLru: results[2].ns / oursNs, vsCachified: results[3].ns / oursNs }, targets }
}
