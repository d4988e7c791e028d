// `npm start`: until the example blog lands, a terminal demo of the runtime's behaviour.
import { execSync } from 'node:child_process'

execSync('npm run build', { stdio: 'inherit' })
const { createCache } = await import('@revalidate/runtime')

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
let version = 0
async function slowQuery() {
  await sleep(300) // stands in for a database query
  version += 1
  return `posts as of query #${version}`
}

const cache = createCache({ onEvent: (event) => event.type !== 'invalidate' && console.log(`  ${event.type.padEnd(7)} ${event.key}`) })
async function read(label) {
  const started = performance.now()
  const value = await cache.withRevalidate('posts:all', 1, slowQuery)
  console.log(`${label.padEnd(44)} -> ${value} (${(performance.now() - started).toFixed(0)} ms)`)
}

console.log('\nwithRevalidate("posts:all", 1, slowQuery): fresh for 1 s, then stale while one refresh runs\n')
await Promise.all([read('cold: 3 callers at once, one query'), read('cold: caller 2'), read('cold: caller 3')])
await read('fresh: served from memory')
await sleep(1100)
await read('stale: old value at once, refresh in background')
await sleep(400)
await read('after the refresh: the new value')
await cache.invalidate('posts:all')
await read('after invalidate("posts:all"): fetched anew')
console.log('\nThe example blog (coming next) will run here. Tests: npm test\n')
