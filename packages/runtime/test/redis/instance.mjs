// One Node instance of a site for the multi-process tests: a cache on the shared Redis,
// driven by its parent over IPC. Uses the built packages, as a deployed app would.
import { createCache } from '@revalidate/runtime'
import { redisStore } from '@revalidate/runtime/redis'

const name = process.env.INSTANCE
const store = redisStore({ url: process.env.REDIS_URL, prefix: process.env.PREFIX })
await store.ready()
const cache = createCache({ store })
let fetcherCalls = 0

async function fetchValue() {
  fetcherCalls += 1
  await new Promise((resolve) => setTimeout(resolve, 50)) // a query that takes a while
  return `${name}#${fetcherCalls}`
}

const commands = {
  async stampede({ key, callers }) {
    const values = await Promise.all(Array.from({ length: callers }, () => cache.withRevalidate(key, 60, fetchValue)))
    return { values: [...new Set(values)], fetcherCalls }
  },
  read: ({ key }) => cache.withRevalidate(key, 60, fetchValue),
  invalidate: ({ key }) => cache.invalidate(key),
  invalidateAll: () => cache.invalidateAll(),
  async exit() {
    await store.close()
    setImmediate(() => process.exit(0))
  },
}

process.on('message', async ({ id, command, ...args }) => {
  try {
    process.send({ id, result: await commands[command](args) })
  } catch (error) {
    process.send({ id, error: String(error) })
  }
})
process.send({ ready: true })
