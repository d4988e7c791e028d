// What redisStore refuses at construction, before it opens any connection: anything it cannot use
// is a TypeError naming what to pass instead (issue 27).
import { createClient, createCluster } from 'redis'
import { describe, expect, it } from 'vitest'
import { redisStore } from '../src/stores/redis-store.js'

describe('redisStore options', () => {
  it('a client of another library (ioredis) is a TypeError naming the node-redis clients to pass', () => {
    class Redis {
      status = 'wait'
      sendCommand() {}
    }
    expect(() => redisStore({ client: new Redis() as never })).toThrow(/^redisStore: client must be a node-redis client, createClient\(\) for one server or createCluster\(\) for Redis Cluster .*got an ioredis client \(Redis\)/)
    expect(() => redisStore({ client: {} as never })).toThrow(/client must be a node-redis client.*got an object that is not a node-redis client/)
  })

  it('two ways of reaching Redis at once are a TypeError naming both', () => {
    const client = createClient()
    expect(() => redisStore({ url: 'redis://127.0.0.1:6379', client })).toThrow(/^redisStore: give one of url, client and cluster, got url and client/)
    const cluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] })
    expect(() => redisStore({ cluster: { rootNodes: [{ url: 'redis://127.0.0.1:7000' }] }, client: cluster })).toThrow(/got client and cluster/)
  })

  it('a cluster without root nodes, and a prefix holding a brace, are TypeErrors saying why', () => {
    expect(() => redisStore({ cluster: { rootNodes: [] } })).toThrow(/^redisStore: cluster\.rootNodes must be a non-empty array of nodes/)
    expect(() => redisStore({ prefix: 'app{1}:' })).toThrow(/^redisStore: prefix must be a string without "\{" or "\}".*hash slot/)
  })
})
