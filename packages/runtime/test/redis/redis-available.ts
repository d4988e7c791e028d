// Redis for these tests: 127.0.0.1:6379 (REDIS_URL to change it). Outside CI a missing Redis
// skips them with a loud warning; under CI=true it fails them, since CI must test the real thing.
import { createConnection } from 'node:net'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Whether a Redis server answers PING at `url`. */
export function redisServerAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) })
    const done = (up: boolean) => {
      socket.destroy()
      resolve(up)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
    socket.once('connect', () => socket.write('PING\r\n'))
  })
}

export async function redisIsAvailable(): Promise<boolean> {
  if (await redisServerAnswers(REDIS_URL)) return true
  if (process.env.CI === 'true') throw new Error(`CI=true but Redis does not answer at ${REDIS_URL}: .ci/run must start it`)
  console.warn(`\n!!! SKIPPING the Redis tests: nothing answers at ${REDIS_URL}. Start redis-server to run them. !!!\n`)
  return false
}
