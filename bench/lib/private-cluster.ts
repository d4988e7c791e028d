// A private Redis Cluster of 6 nodes (3 masters, 3 replicas) on 127.0.0.1, for the cluster tests
// (packages/runtime/test/redis/private-cluster.ts) and the cluster benchmark (bench/redis-cluster.mjs):
// `redis-server --cluster-enabled yes` per node on free ports, `redis-cli --cluster create …
// --cluster-replicas 1 --cluster-yes`, a short node timeout so a failover takes a second or two,
// and DEBUG allowed so a test can kill a master (DEBUG SEGFAULT). No test framework here: the
// benchmark runs it as plain Node (types stripped), the tests through vitest.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const NODES = 6
/** How long a master may be silent before its replica takes over, in ms. */
const NODE_TIMEOUT_MS = 1000

/**
 * A port free for the node and for its cluster bus (port + 10,000), both below the range the
 * system hands out to outgoing connections (32768 and up), which on a busy machine takes a port
 * between the moment it is found free and the moment redis-server binds it.
 */
async function freeClusterPort(taken: readonly number[]): Promise<number> {
  const isFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 2700)
    if (taken.some((other) => other === port || other === port + 10_000 || other + 10_000 === port)) continue
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))))
  })
}

/** Retries `check` every 20 ms until it resolves; after `timeoutMs`, rejects with its last error. */
async function until(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

export interface PrivateCluster {
  ports: number[]
  rootNodes: Array<{ url: string }>
  /** Kills the master that serves `key`'s slot (DEBUG SEGFAULT); resolves with its port. */
  killMasterOf(key: string): Promise<number>
  /** Kills the node on `port` (DEBUG SEGFAULT). */
  kill(port: number): Promise<void>
  /** A live node's port for each client subscribed there (a port twice: two clients). */
  subscriptions(): Promise<number[]>
  /** Resolves once every live node says the cluster is ok again. */
  healthy(): Promise<void>
  /** Kills every node and removes their files. */
  stop(): void
}

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'revalidate-cluster-'))
  const ports: number[] = []
  while (ports.length < NODES) ports.push(await freeClusterPort(ports))
  const servers = new Map<number, ChildProcess>()
  for (const port of ports) {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)]
    args.push('--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--enable-debug-command', 'local', '--save', '', '--appendonly', 'no', '--dir', dir)
    // A replica syncs at once (not after the default 5 s), so a test may kill its master right away.
    args.push('--repl-diskless-sync-delay', '0')
    servers.set(port, spawn('redis-server', args, { stdio: 'ignore' }))
  }
  const stop = () => {
    for (const server of servers.values()) server.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (const port of ports) {
      await until(async () => {
        if ((await run('redis-cli', ['-p', String(port), 'ping']).catch(() => '')).trim() !== 'PONG') throw new Error(`cluster node ${port} does not answer yet`)
      }, 10_000)
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'])
    const alive = new Set(ports)
    const healthy = async () => {
      await until(async () => {
        for (const port of alive) {
          const info = await run('redis-cli', ['-p', String(port), 'cluster', 'info'])
          if (!info.includes('cluster_state:ok')) throw new Error(`cluster node ${port} is not ok yet:\n${await run('redis-cli', ['-p', String(port), 'cluster', 'nodes'])}`)
        }
      }, 30_000)
    }
    const kill = async (port: number) => {
      alive.delete(port)
      await run('redis-cli', ['-p', String(port), 'debug', 'segfault']).catch(() => undefined) // the connection dies with the node
    }
    await healthy()
    // A replica that has not synced with its master yet cannot take over from it.
    await until(async () => {
      for (const port of ports) {
        const replication = await run('redis-cli', ['-p', String(port), 'info', 'replication'])
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) throw new Error(`replica ${port} has not synced yet`)
      }
    }, 30_000)
    return {
      ports,
      rootNodes: ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
      async killMasterOf(key) {
        const slot = Number((await run('redis-cli', ['-p', String(ports[0]), 'cluster', 'keyslot', key])).trim())
        const shards = await run('redis-cli', ['-p', String([...alive][0]), 'cluster', 'slots'])
        const port = masterPortOf(shards, slot)
        await kill(port)
        return port
      },
      kill,
      async subscriptions() {
        const listed = await Promise.all([...alive].map(async (port) => [port, await run('redis-cli', ['-p', String(port), 'client', 'list', 'type', 'pubsub'])] as const))
        return listed.flatMap(([port, clients]) => clients.split('\n').filter((line) => line.trim() !== '').map(() => port))
      },
      healthy,
      stop,
    }
  } catch (error) {
    stop()
    throw error
  }
}

/** The master's port for `slot`, from `redis-cli cluster slots` (start, end, then the master's ip and port). */
function masterPortOf(slots: string, slot: number): number {
  const lines = slots.trim().split('\n').map((line) => line.trim())
  // Each range: start, end, master ip, master port, master id, then its replicas (ip, port, id).
  for (let i = 0; i + 3 < lines.length; i++) {
    const [start, end, , port] = [Number(lines[i]), Number(lines[i + 1]), lines[i + 2], Number(lines[i + 3])]
    if (Number.isInteger(start) && Number.isInteger(end) && start <= slot && slot <= end && lines[i + 2] === '127.0.0.1' && port > 0) return port
  }
  throw new Error(`no master for slot ${slot} in:\n${slots}`)
}
