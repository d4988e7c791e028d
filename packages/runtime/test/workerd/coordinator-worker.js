// The coordinator's Worker for coordinator.test.ts: RevalidateCoordinator as users bind it, plus
// switches a test needs and production never has: unreachable, slow, restarted.
import { RevalidateCoordinator } from '@revalidate/runtime/cloudflare'

const never = new Promise(() => {})

export class TestCoordinator extends RevalidateCoordinator {
  #mode = 'up'
  #lagMs = 0
  /** Every acquire answered with another location's value: the key, and the value. */
  #handedOut = []

  /**
   * 'up', 'down' (every call fails, as an unreachable object does), 'slow' (no call ever answers)
   * or 'lag' (every call answers after `ms`).
   */
  setMode(mode, ms = 0) {
    this.#mode = mode
    this.#lagMs = ms
  }

  /** How many leases its storage holds. */
  leaseCount() {
    return this.ctx.storage.sql.exec('SELECT count(*) AS count FROM leases').one().count
  }

  /** Every name its storage holds: invalidated keys and tags, leased keys. */
  storedNames() {
    const sql = this.ctx.storage.sql
    return [...sql.exec('SELECT name FROM invalidations').toArray().map((row) => row.name), ...sql.exec('SELECT key AS name FROM leases').toArray().map((row) => row.name)]
  }

  /** `count` tag invalidations in one call. */
  async flood(count) {
    for (let i = 0; i < count; i++) await super.invalidate('t', `flood-${i}`)
  }

  /** A restart: in-memory state is gone, SQLite storage stays. */
  restart() {
    this.ctx.abort('restarted by the test')
  }

  async #gate() {
    if (this.#mode === 'down') throw new Error('Durable Object unreachable (test)')
    if (this.#mode === 'slow') await never
    if (this.#mode === 'lag') await new Promise((resolve) => setTimeout(resolve, this.#lagMs))
  }

  async invalidate(...args) {
    await this.#gate()
    return super.invalidate(...args)
  }

  async sync(...args) {
    await this.#gate()
    return super.sync(...args)
  }

  async acquire(key, options) {
    await this.#gate()
    const reply = await super.acquire(key, options)
    if ('fill' in reply) this.#handedOut.push({ key, text: reply.fill.text })
    return reply
  }

  handedOut() {
    return this.#handedOut
  }

  async release(...args) {
    await this.#gate()
    return super.release(...args)
  }
}

export default {
  fetch: () => new Response('the coordinator has no pages'),
}
