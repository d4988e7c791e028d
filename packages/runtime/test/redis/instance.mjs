// One Node instance of a site for the multi-process tests: a cache on the shared Redis,
// driven by its parent over IPC. Uses the built packages, as a deployed app would.
import { createCache } from '@revalidate/runtime'
import { redisStore } from '@revalidate/runtime/redis'

const name = process.env.INSTANCE
const store = redisStore({ url: process.env.REDIS_URL, prefix: process.env.PREFIX })
await store.ready()
const cache = createCache({ store })
let fetcherCalls = 0

// Other instances' invalidations reach this one by pub/sub, a moment after the call that made them
// resolved: the tests wait until one is heard here (a bounded wait) before reading.
const heard = []
const hearers = new Set()
store.subscribe((invalidation) => {
  heard.push(invalidation)
  for (const hearer of hearers) hearer()
})
const matches = (invalidation, { kind, key }) => invalidation.kind === kind && (key === undefined || invalidation.key === key)

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
  heard(expected) {
    if (heard.some((invalidation) => matches(invalidation, expected))) return true
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not hear ${JSON.stringify(expected)} within 5 s`)), 5000)
      const hearer = () => {
        if (!heard.some((invalidation) => matches(invalidation, expected))) return
        clearTimeout(timer)
        hearers.delete(hearer)
        resolve(true)
      }
      hearers.add(hearer)
    })
  },
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
