// The Redis store over TLS (rediss://, a CA of the test's own) and as an ACL user
// (redis://user:password@), each against a private redis-server the test starts: Debian's
// redis-server is built with TLS, and the certificates are made here with openssl, thrown away after.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type RedisClientType } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCache, type CacheEvent } from '../../src/index.js'
import { RedisStore, type RedisStoreOptions } from '../../src/stores/redis-store.js'
import { eventually } from '../helpers.js'
import { freePort } from './private-redis.js'
import { redisIsAvailable } from './redis-available.js'

const available = await redisIsAvailable()

/** A throwaway CA, and a certificate it signed for 127.0.0.1. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const file = (name: string) => join(dir, name)
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' })
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=revalidate test CA')
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1')
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt'), '-days', '1', '-extfile', file('san.ext'))
  return { ca: file('ca.crt'), cert: file('server.crt'), key: file('server.key') }
}

describe.skipIf(!available)('RedisStore over TLS and as an ACL user', () => {
  let dir: string
  let server: ChildProcess
  let tlsPort: number
  let plainPort: number
  const stores: RedisStore[] = []
  const clients: RedisClientType[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'revalidate-tls-'))
    const certificates = makeCertificates(dir)
    ;[tlsPort, plainPort] = [await freePort(), await freePort()]
    const args = ['--port', String(plainPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
    args.push('--tls-port', String(tlsPort), '--tls-cert-file', certificates.cert, '--tls-key-file', certificates.key, '--tls-ca-cert-file', certificates.ca, '--tls-auth-clients', 'no')
    // An ACL user with what the store needs, and the default user turned off.
    args.push('--user', 'cache', 'on', '>s3cret', '~*', '&*', '+@all', '--user', 'default', 'off')
    server = spawn('redis-server', args, { stdio: 'ignore' })
    // The default user is off, so a PING is refused (NOAUTH): the user's own is the check.
    await eventually(async () => {
      const probe = createClient({ url: `redis://cache:s3cret@127.0.0.1:${plainPort}` })
      probe.on('error', () => {})
      try {
        await probe.connect()
        expect(await probe.ping()).toBe('PONG')
      } finally {
        if (probe.isOpen) probe.destroy()
      }
    }, 10_000)
  })

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()))
    await Promise.all(clients.map((client) => (client.isOpen ? client.close() : undefined)))
    server?.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  function store(options: RedisStoreOptions): RedisStore {
    const created = new RedisStore(options)
    stores.push(created)
    return created
  }

  /** Two instances share an entry, and an invalidation in one reaches the other. */
  async function sharedBetween(a: RedisStore, b: RedisStore): Promise<void> {
    await Promise.all([a.ready(), b.ready()])
    const [cacheA, cacheB] = [createCache({ store: a }), createCache({ store: b })]
    expect(await cacheA.withRevalidate('k', 60, () => 'written by a')).toBe('written by a')
    expect(await cacheB.withRevalidate('k', 60, () => 'fetched by b')).toBe('written by a')
    await cacheA.invalidate('k')
    await eventually(async () => expect(await cacheB.withRevalidate('k', 60, () => 'fetched by b after')).toBe('fetched by b after'))
  }

  it('rediss:// with a CA file: a node-redis client of the caller’s, trusting that CA, as `client`', async () => {
    const prefix = `tls:${randomUUID()}:`
    const tlsClient = () => {
      const client = createClient({ url: `rediss://cache:s3cret@127.0.0.1:${tlsPort}`, socket: { tls: true, ca: readFileSync(join(dir, 'ca.crt')) } }) as RedisClientType
      clients.push(client)
      return client
    }
    await sharedBetween(store({ client: tlsClient(), prefix }), store({ client: tlsClient(), prefix }))
  })

  it('rediss:// without the CA: the certificate is refused, reported once, and requests are served by the fetcher', async () => {
    const events: CacheEvent[] = []
    const untrusting = store({ url: `rediss://cache:s3cret@127.0.0.1:${tlsPort}`, prefix: `tls:${randomUUID()}:`, connectTimeoutMs: 500 })
    const cache = createCache({ store: untrusting, onEvent: (event) => events.push(event) })
    expect(await cache.withRevalidate('k', 60, () => 'served without Redis')).toBe('served without Redis')
    expect(await cache.withRevalidate('j', 60, () => 'and again')).toBe('and again')
    expect(events.filter((event) => event.type === 'error').length).toBeLessThanOrEqual(1)
  })

  it('an ACL user in the url (redis://user:password@): shared entries and invalidation', async () => {
    const prefix = `acl:${randomUUID()}:`
    const url = `redis://cache:s3cret@127.0.0.1:${plainPort}`
    await sharedBetween(store({ url, prefix }), store({ url, prefix }))
  })

  it('a wrong password: reported as the store error it is, and requests are served by the fetcher', async () => {
    const events: CacheEvent[] = []
    const refused = store({ url: `redis://cache:wrong@127.0.0.1:${plainPort}`, prefix: `acl:${randomUUID()}:`, connectTimeoutMs: 500 })
    const cache = createCache({ store: refused, onEvent: (event) => events.push(event) })
    expect(await cache.withRevalidate('k', 60, () => 'served without Redis')).toBe('served without Redis')
    await eventually(() => expect(events.some((event) => event.type === 'error' && /WRONGPASS|invalid username-password/i.test(String((event as { error: unknown }).error)))).toBe(true))
  })
})
