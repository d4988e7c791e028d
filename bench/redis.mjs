// 6. Many instances: 4 Node processes on one Redis. Hit latency with and without the memory tier,
// and fetcher calls per key per ttl window across all of them.
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import { fixed, spreadOf, spreadText, table, target, targetLines } from './lib/measure.mjs'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const INSTANCES = 4
const WINDOW_RUN_SECONDS = 5
const TTL_SECONDS = 1

function startInstances(prefix, maxEntries) {
  return Array.from({ length: INSTANCES }, () => {
    const child = fork(new URL('./redis-instance.mjs', import.meta.url), { env: { ...process.env, REDIS_URL, PREFIX: prefix, MAX_ENTRIES: String(maxEntries) } })
    const replies = []
    const waiting = []
    child.on('message', (message) => (waiting.length ? waiting.shift()(message) : replies.push(message)))
    const next = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((resolve) => waiting.push(resolve)))
    return { child, next, send: (command, args = {}) => (child.send({ command, ...args }), next()) }
  })
}

async function measure(maxEntries) {
  const prefix = `bench:${randomUUID()}:`
  const instances = startInstances(prefix, maxEntries)
  await Promise.all(instances.map((instance) => instance.next())) // ready
  const latencies = await Promise.all(instances.map((instance) => instance.send('latency')))
  await Promise.all(instances.map((instance) => instance.send('windows', { seconds: WINDOW_RUN_SECONDS, ttl: TTL_SECONDS })))
  const redis = createClient({ url: REDIS_URL })
  await redis.connect()
  const fetches = Number(await redis.get(`${prefix}fetches`))
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await redis.del(keys) // the shared Redis is left as found
  await redis.close()
  const hitMicros = spreadOf(latencies.flatMap((latency) => latency.rounds).map((ns) => ns / 1000))
  return { hitMicros, fetchesPerWindow: fetches / (WINDOW_RUN_SECONDS / TTL_SECONDS) }
}

export async function run() {
  const withMemory = await measure(1000)
  const withoutMemory = await measure(false)
  const targets = [
    target(
      'fetcher calls per ttl window, 4 processes on one Redis',
      'about 1 (≤ 1.2, the first miss included)',
      `${fixed(withMemory.fetchesPerWindow, 2)} and ${fixed(withoutMemory.fetchesPerWindow, 2)}`,
      withMemory.fetchesPerWindow <= 1.2 && withoutMemory.fetchesPerWindow <= 1.2,
      'instances fetched the same key in one window',
    ),
  ]
  const markdown = [
    '## 6. Many instances on one Redis',
    '',
    `${INSTANCES} Node processes with \`redisStore\` on one local Redis. Hit latency: each process times 5 rounds of 20,000 awaited hits on one key; min / median / max of those ${INSTANCES * 5} rounds. Fetcher calls: every process reads one key (ttl ${TTL_SECONDS} s) 50 at a time every 10 ms for ${WINDOW_RUN_SECONDS} s; the fetcher counts its calls in Redis.`,
    '',
    table(['store', 'hit latency (µs): min / median / max', 'fetcher calls per ttl window, all processes'], [
      ['Redis + memory tier (`maxEntries: 1000`)', spreadText(withMemory.hitMicros, 2), fixed(withMemory.fetchesPerWindow, 2)],
      ['Redis only (`maxEntries: false`)', spreadText(withoutMemory.hitMicros, 1), fixed(withoutMemory.fetchesPerWindow, 2)],
    ]),
    '',
    `The memory tier makes a hit ${fixed(withoutMemory.hitMicros.median / withMemory.hitMicros.median, 0)}x faster (medians): no round trip.`,
    '',
    targetLines(targets),
  ].join('\n')
  return { markdown, targets }
}
