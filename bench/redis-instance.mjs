// One instance for the many-instances benchmark: a cache on the shared Redis, measured on command.
import { createClient } from 'redis'
import { createCache } from '@revalidate/runtime'
import { redisStore } from '@revalidate/runtime/redis'
import { nsPerCallRounds } from './lib/measure.mjs'

const { REDIS_URL, PREFIX, MAX_ENTRIES } = process.env
const store = redisStore({ url: REDIS_URL, prefix: PREFIX, maxEntries: MAX_ENTRIES === 'false' ? false : Number(MAX_ENTRIES) })
await store.ready()
const cache = createCache({ store })
const counter = createClient({ url: REDIS_URL })
await counter.connect()

const commands = {
  async latency() {
    await cache.withRevalidate('hot', 3600, async () => 'value')
    return { rounds: await nsPerCallRounds(() => cache.withRevalidate('hot', 3600, async () => 'value'), { calls: 20_000, rounds: 5 }) }
  },
  async windows({ seconds, ttl }) {
    const fetcher = async () => {
      await counter.incr(`${PREFIX}fetches`)
      await new Promise((resolve) => setTimeout(resolve, 20))
      return Date.now()
    }
    for (const end = Date.now() + seconds * 1000; Date.now() < end; ) {
      await Promise.all(Array.from({ length: 50 }, () => cache.withRevalidate('shared', ttl, fetcher)))
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return {}
  },
}

process.on('message', async ({ command, ...args }) => {
  const result = await commands[command](args)
  process.send(result)
  if (command === 'windows') {
    await store.close()
    await counter.close()
    process.exit(0)
  }
})
process.send({ ready: true })
