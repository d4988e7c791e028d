// 6d. The Redis store on a private Redis Cluster of 6 nodes (3 masters, 3 replicas) against one
// private redis-server, both started here from the same redis-server binary with the same
// persistence settings: hits and misses per second under concurrent callers, and what one read,
// one fetch's fence and one write cost one at a time, and what bare node-redis commands cost on
// each (what the layout adds before the store does anything), round by round in alternating order.
import { createCache } from '@revalidate/runtime'
import { redisStore } from '@revalidate/runtime/redis'
import { createClient, createCluster } from 'redis'
import { fixed, median, spreadOf, spreadText, table } from './lib/measure.mjs'
import { startPrivateCluster } from './lib/private-cluster.ts'
import { startPrivateRedis } from './lib/private-redis.mjs'

const ROUNDS = 7
const KEYS = 1000
const CALLERS = 50
const THROUGHPUT_MS = 1000
const SEQUENTIAL_READS = 2000
const SEQUENTIAL_WRITES = 500
const TTL_SECONDS = 3600
const MEMORY_HITS = 100_000
const BARE_COMMANDS = 1000

/** About 1 KB of page data, as in the memory and tag benchmarks. */
const kilobyteOfData = (i) => ({ id: i, title: `Post ${i}`, body: `${i} `.padEnd(1000, 'lorem ipsum ') })

/** Calls of `call(n)` completed per second by `CALLERS` callers, each awaiting its call before the next, for `THROUGHPUT_MS`. */
async function perSecond(call) {
  let calls = 0
  const start = performance.now()
  const end = start + THROUGHPUT_MS
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (performance.now() < end) await call(calls++)
    }),
  )
  return calls / ((performance.now() - start) / 1000)
}

/** µs of each awaited `call(i)`, one after another. */
async function timed(count, call) {
  const micros = []
  for (let i = 0; i < count; i++) {
    const start = performance.now()
    await call(i)
    micros.push((performance.now() - start) * 1000)
  }
  return micros
}

/** A store on `where` (a cluster's root nodes or one server's url) with its cache, listed in `opened` to be closed. */
async function open(where, maxEntries, opened) {
  const store = redisStore({ ...where, prefix: 'bench:', maxEntries })
  opened.push(store)
  await store.ready()
  return { store, cache: createCache({ store }) }
}

/** A node-redis client of the layout's own, for bare commands, listed in `opened` to be closed. */
async function openClient(where, opened) {
  const client = where.cluster ? createCluster(where.cluster) : createClient(where)
  opened.push(client)
  await client.connect()
  return client
}

/**
 * Bare commands one at a time, µs (the round's median): what each layout costs a command before
 * the store adds anything. A SET is replicated on the cluster, a PUBLISH crosses its bus to every
 * node, and two keys in two slots go to two nodes at once.
 */
async function bareCommands(client, round) {
  const value = 'x'.repeat(1000)
  const each = async (call) => median(await timed(BARE_COMMANDS, call))
  return {
    set: await each((i) => client.set(`bare:${round}:${i}`, value)),
    get: await each((i) => client.get(`bare:${round}:${i}`)),
    publish: await each(() => client.publish('bench:bare', 'message')),
    twoSlots: await each((i) => Promise.all([client.get(`{a}:${i}`), client.get(`{b}:${i}`)])),
  }
}

/** One round's figures on one layout: every read of these goes to Redis (no memory tier). */
async function measureRound({ store, cache, client }, round) {
  const hit = (i) => cache.withRevalidate(`hit:${i % KEYS}`, TTL_SECONDS, () => kilobyteOfData(i % KEYS))
  const miss = (i) => cache.withRevalidate(`miss:${round}:${i}`, TTL_SECONDS, () => kilobyteOfData(i))
  const sequentialRead = median(await timed(SEQUENTIAL_READS, hit))
  const sequentialMiss = median(await timed(SEQUENTIAL_WRITES, (i) => miss(`one:${i}`)))
  // A fetch's fence and its write through the store, timed apart (what a miss does after its read and lock).
  const fences = []
  const writes = []
  for (let i = 0; i < SEQUENTIAL_WRITES; i++) {
    const key = `write:${round}:${i}`
    const start = performance.now()
    const fence = await store.writeFence(key, [])
    const fenced = performance.now()
    await store.set(key, { value: kilobyteOfData(i), storedAt: Date.now(), ttlMs: TTL_SECONDS * 1000, staleMs: 0 }, fence)
    fences.push((fenced - start) * 1000)
    writes.push((performance.now() - fenced) * 1000)
  }
  const bare = await bareCommands(client, round)
  // Throughput last: what 50 callers leave behind (replicas catching up, garbage) lands on nothing timed one at a time.
  return {
    read: sequentialRead,
    miss: sequentialMiss,
    fence: median(fences),
    write: median(writes),
    ...bare,
    hitsPerSecond: await perSecond(hit),
    missesPerSecond: await perSecond((i) => miss(`many:${i}`)),
  }
}

const FIGURES = [
  ['hitsPerSecond', `hits per second, ${CALLERS} concurrent callers over ${KEYS.toLocaleString('en')} keys`],
  ['missesPerSecond', `misses per second, ${CALLERS} concurrent callers, a new key each (read, lock, fence, fetch, write)`],
  ['read', 'a read from Redis (a hit), µs, one at a time'],
  ['miss', 'a miss, µs, one at a time (read, lock, fence, fetch, write)'],
  ['fence', "a fetch's fence (`writeFence`), µs, one at a time"],
  ['write', 'a write (`set` with the fence), µs, one at a time'],
]
const BARE = [
  ['get', '`GET` of 1 KB'],
  ['set', '`SET` of 1 KB'],
  ['publish', '`PUBLISH`'],
  ['twoSlots', 'two `GET`s in two slots, at once'],
]

export async function run() {
  const cluster = await startPrivateCluster()
  let server
  const opened = []
  try {
    server = await startPrivateRedis()
    const layouts = {
      cluster: { ...(await open({ cluster: { rootNodes: cluster.rootNodes } }, false, opened)), client: await openClient({ cluster: { rootNodes: cluster.rootNodes } }, opened) },
      server: { ...(await open({ url: server.url }, false, opened)), client: await openClient({ url: server.url }, opened) },
    }
    // The keys that hits read, written once; then a warm-up round for each, not counted.
    for (const { cache } of Object.values(layouts)) await Promise.all(Array.from({ length: KEYS }, (_, i) => cache.withRevalidate(`hit:${i}`, TTL_SECONDS, () => kilobyteOfData(i))))
    for (const layout of Object.values(layouts)) await measureRound(layout, 'warm-up')
    const rounds = { cluster: [], server: [] }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['cluster', 'server'] : ['server', 'cluster']
      for (const name of order) rounds[name].push(await measureRound(layouts[name], round))
    }
    // For context: a hit from the memory tier, which neither layout reaches; rounds alternate too.
    const memoryHits = { cluster: [], server: [] }
    const withMemory = {
      cluster: await open({ cluster: { rootNodes: cluster.rootNodes } }, KEYS, opened),
      server: await open({ url: server.url }, KEYS, opened),
    }
    const memoryRead = (name) => (i) => withMemory[name].cache.withRevalidate(`hit:${i % KEYS}`, TTL_SECONDS, () => kilobyteOfData(i % KEYS))
    for (const name of ['cluster', 'server']) await timed(KEYS, memoryRead(name)) // into the memory tier
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? ['cluster', 'server'] : ['server', 'cluster']) {
        const read = memoryRead(name)
        const start = performance.now()
        for (let i = 0; i < MEMORY_HITS; i++) await read(i)
        memoryHits[name].push(((performance.now() - start) * 1000) / MEMORY_HITS)
      }
    }
    return report(rounds, memoryHits)
  } finally {
    await Promise.all(opened.map((opening) => (opening.isOpen === false ? undefined : opening.close())))
    cluster.stop()
    await server?.stop()
  }
}

function report(rounds, memoryHits) {
  const rowsOf = (figures) => figures.map(([figure, label]) => {
    const cluster = rounds.cluster.map((round) => round[figure])
    const server = rounds.server.map((round) => round[figure])
    const ratios = spreadOf(cluster.map((value, round) => value / server[round]))
    const digits = figure.endsWith('PerSecond') ? 0 : 1
    return { figure, label, cluster: spreadOf(cluster), server: spreadOf(server), ratios, digits }
  })
  const rows = rowsOf(FIGURES)
  const comparison = (rowsShown) =>
    table(
      ['figure', 'one server: min / median / max', 'cluster: min / median / max', 'cluster ÷ one server, round by round: median (range)'],
      rowsShown.map((r) => [r.label, spreadText(r.server, r.digits), spreadText(r.cluster, r.digits), `${fixed(r.ratios.median, 2)} (${fixed(r.ratios.min, 2)}–${fixed(r.ratios.max, 2)})`]),
    )
  const row = (figure) => rows.find((r) => r.figure === figure)
  const extra = (figure) => fixed(row(figure).cluster.median - row(figure).server.median, 0)
  const markdown = [
    '### 6d. Redis Cluster against one server',
    '',
    `A private Redis Cluster of 6 nodes (3 masters, 3 replicas, \`redis-cli --cluster create --cluster-replicas 1\`) and a private redis-server, both of the same binary with \`--save '' --appendonly no\`, on this machine's 2 cores with the benchmark's process. One store on each (\`redisStore({ cluster: { rootNodes } })\` and \`redisStore({ url })\`), \`maxEntries: false\`, so every read is a Redis round trip; entries of about 1 KB, no tags. ${ROUNDS} rounds, alternating which layout goes first, after a warm-up round of each: per round, ${SEQUENTIAL_READS.toLocaleString('en')} hits one at a time, ${SEQUENTIAL_WRITES} misses one at a time, ${SEQUENTIAL_WRITES} fences and writes through the store one at a time (each figure the round's median), the bare commands below, then ${CALLERS} concurrent callers for ${THROUGHPUT_MS / 1000} s on hits and for ${THROUGHPUT_MS / 1000} s on misses. Each row gives min / median / max of the ${ROUNDS} rounds; the ratio is taken round by round: median (range).`,
    '',
    comparison(rows),
    '',
    `Bare commands through a node-redis client of each layout (\`createCluster({ rootNodes })\`, \`createClient({ url })\`), ${BARE_COMMANDS.toLocaleString('en')} of each one at a time per round, µs (the round's median): what a command costs on each layout before the store adds anything.`,
    '',
    comparison(rowsOf(BARE)),
    '',
    `For context, a hit from the memory tier (\`maxEntries: ${KEYS}\`, ${MEMORY_HITS.toLocaleString('en')} awaited hits per round, alternating, µs per hit: min / median / max of ${ROUNDS} rounds): ${spreadText(spreadOf(memoryHits.server), 2)} on one server, ${spreadText(spreadOf(memoryHits.cluster), 2)} on the cluster; neither reaches Redis.`,
    '',
    `One at a time, the cluster adds ${extra('read')} µs to a read, ${extra('fence')} µs to a fence, ${extra('write')} µs to a write and ${extra('miss')} µs to a whole miss (medians).`,
  ].join('\n')
  return { markdown, targets: [] }
}
