// Helpers for tests that run a framework's own CLI and serve what it built, as a user would.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** The file a package's `bin` entry runs (`astro` -> node_modules/astro/bin/astro.mjs). */
export function packageBin(packageName: string, command = packageName.replace(/^@[^/]+\//, '')): string {
  const manifestPath = require.resolve(`${packageName}/package.json`)
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> }
  const relative = typeof bin === 'string' ? bin : bin?.[command]
  if (relative === undefined) throw new Error(`${packageName} has no bin named ${command}`)
  return join(dirname(manifestPath), relative)
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
    probe.once('error', reject)
  })
}

/** Resolves once `url` answers at all (any status), or throws with what the server printed. */
export async function waitForServer(url: string, server: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}:\n${output()}`)
    if (await fetch(url).then(() => true, () => false)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the server did not answer at ${url} within ${timeoutMs} ms:\n${output()}`)
}

/** Starts `node <args>` in `cwd`, keeping what it prints; stop() kills it and waits. */
export function startNode(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }) {
  let printed = ''
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()))
  return {
    child,
    output: () => printed,
    async stop() {
      if (child.exitCode !== null) return
      child.kill()
      await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}
