// 6. Many instances: 4 Node processes on one Redis. Hit latency with and without the memory tier,
// and fetcher calls per key per ttl window across all of them.
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import { fixed, median, table, verdict } from './lib/measure.mjs'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const INSTANCES = 4
const WINDOW_RUN_SECONDS = 5
const TTL_SECONDS = 1

function startInstances(prefix, memoryEntries) {
  return Array.from({ length: INSTANCES }, () => {
    const child = fork(new URL('./redis-instance.mjs', import.meta.url), { env: { ...process.env, REDIS_URL, PREFIX: prefix, MEMORY_ENTRIES: String(memoryEntries) } })
    const replies = []
    const waiting = []
    child.on('message', (message) => (waiting.length ? waiting.shift()(message) : replies.push(message)))
    const next = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((resolve) => waiting.push(resolve)))
    return { child, next, send: (command, args = {}) => (child.send({ command, ...args }), next()) }
  })
}

async function measure(memoryEntries) {
  const prefix = `bench:${randomUUID()}:`
  const instances = startInstances(prefix, memoryEntries)
  await Promise.all(instances.map((instance) => instance.next())) // ready
  const latencies = await Promise.all(instances.map((instance) => instance.send('latency')))
  await Promise.all(instances.map((instance) => instance.send('windows', { seconds: WINDOW_RUN_SECONDS, ttl: TTL_SECONDS })))
  const redis = createClient({ url: REDIS_URL })
  await redis.connect()
  const fetches = Number(await redis.get(`${prefix}fetches`))
  await redis.close()
  return { hitMicros: median(latencies.map((latency) => latency.ns)) / 1000, fetchesPerWindow: fetches / (WINDOW_RUN_SECONDS / TTL_SECONDS) }
}

export async function run() {
  const withMemory = await measure(1000)
  const withoutMemory = await measure(false)
  const targets = { fetches: withMemory.fetchesPerWindow <= 1.2 && withoutMemory.fetchesPerWindow <= 1.2 }
  const markdown = [
    '## 6. Many instances on one Redis',
    '',
    `${INSTANCES} Node processes with \`redisStore\` on one local Redis. Hit latency: median over the processes of 5 rounds of 20,000 awaited hits on one key. Fetcher calls: every process reads one key (ttl ${TTL_SECONDS} s) 50 at a time every 10 ms for ${WINDOW_RUN_SECONDS} s; the fetcher counts its calls in Redis.`,
    '',
    table(['store', 'hit latency (µs)', 'fetcher calls per ttl window, all processes'], [
      ['Redis + memory tier (`memoryEntries: 1000`)', fixed(withMemory.hitMicros, 2), fixed(withMemory.fetchesPerWindow, 2)],
      ['Redis only (`memoryEntries: false`)', fixed(withoutMemory.hitMicros, 2), fixed(withoutMemory.fetchesPerWindow, 2)],
    ]),
    '',
    `The memory tier makes a hit ${fixed(withoutMemory.hitMicros / withMemory.hitMicros, 0)}x faster: no round trip. One fetch per window across the four processes (target about 1, the first miss included: ${verdict(targets.fetches)}).`,
  ].join('\n')
  return { markdown, targets, headline: { memoryTierSpeedup: withoutMemory.hitMicros / withMemory.hitMicros } }
}
