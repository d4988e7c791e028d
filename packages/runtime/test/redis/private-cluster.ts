// A private Redis Cluster for the tests of one describe block (bench/lib/private-cluster.ts starts
// it, for the cluster benchmark too), with stores and clients on it closed after each test.
import { createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { startPrivateCluster, type PrivateCluster } from '../../../../bench/lib/private-cluster.js'
import { RedisStore, type RedisStoreOptions } from '../../src/stores/redis-store.js'

/** A private cluster for the tests of one describe block, with stores on it closed after each test. */
export function usePrivateCluster() {
  let cluster: PrivateCluster | undefined
  const opened: Array<() => unknown> = []
  beforeAll(async () => {
    cluster = await startPrivateCluster()
  }, 60_000)
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((close) => close()))
  })
  afterAll(() => cluster?.stop())
  return {
    get cluster(): PrivateCluster {
      return cluster!
    },
    /** A store on the cluster, with the cluster options (the store makes its own client). */
    store(options: RedisStoreOptions = {}): RedisStore {
      const created = new RedisStore({ cluster: { rootNodes: cluster!.rootNodes }, ...options })
      opened.push(() => created.close())
      return created
    },
    /** A node-redis cluster client of the test's own (not connected). */
    clusterClient(): RedisClusterType {
      const client = createCluster({ rootNodes: cluster!.rootNodes }) as RedisClusterType
      client.on('error', () => {})
      opened.push(() => (client.isOpen ? client.destroy() : undefined))
      return client
    },
    /** A client of one node, not the cluster. */
    nodeClient(port = cluster!.ports[0]!): RedisClientType {
      const client = createClient({ url: `redis://127.0.0.1:${port}` }) as RedisClientType
      client.on('error', () => {})
      opened.push(() => (client.isOpen ? client.destroy() : undefined))
      return client
    },
    closeAfterTest(close: () => unknown): void {
      opened.push(close)
    },
  }
}
