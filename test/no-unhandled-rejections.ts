// Fails the test file in which any promise rejection was left unhandled, on top of Vitest's own
// report: the runtime promises never to leave one behind, whatever a fetcher or store does.
import { afterAll } from 'vitest'

const unhandled: unknown[] = []
process.on('unhandledRejection', (reason) => unhandled.push(reason))

afterAll(async () => {
  // Rejections are reported after the microtask queue drains; give them a turn to arrive.
  await new Promise((resolve) => setTimeout(resolve, 10))
  if (unhandled.length > 0) {
    throw new Error(`${unhandled.length} unhandled promise rejection(s): ${unhandled.map(String).join('; ')}`)
  }
})
