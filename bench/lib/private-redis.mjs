// A private redis-server on a free port, for benchmarks that fill Redis with hundreds of
// thousands of keys or block it: nobody else's Redis is touched, and stopping it frees it all.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { createClient } from 'redis'

async function freePort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Starts redis-server (no persistence) and resolves once it answers; `stop()` kills it. */
export async function startPrivateRedis() {
  const port = await freePort()
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  const exited = new Promise((resolve) => server.once('exit', resolve))
  const url = `redis://127.0.0.1:${port}`
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
    await exited
  }
  for (const started = Date.now(); ; ) {
    const client = createClient({ url, socket: { reconnectStrategy: false } })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.ping()
      await client.close()
      return { url, stop }
    } catch (error) {
      if (client.isOpen) client.destroy()
      if (Date.now() - started > 10_000) {
        await stop()
        throw new Error(`redis-server on port ${port} did not answer within 10 s: ${error}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
