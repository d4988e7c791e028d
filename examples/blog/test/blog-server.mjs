// Starts the built blog (node server.js) on a free port with its own SQLite file, as a user would
// run it, with a test clock. Used by the example's tests and by the serving benchmark.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BLOG_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Starts the production build, or with `dev` Vite's dev server (`npm run dev`); `root`: a copy of
 * the blog elsewhere; `env` adds to its environment.
 */
export async function startBlog({ dev = false, queryLatencyMs = 20, root = BLOG_ROOT, env = {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'revalidate-blog-'))
  const dbPath = join(dataDir, 'blog.db')
  const child = spawn(process.execPath, ['server.js', ...(dev ? ['--dev'] : [])], {
    cwd: root,
    env: { ...process.env, PORT: '0', BLOG_DB: dbPath, BLOG_QUERY_LATENCY_MS: String(queryLatencyMs), BLOG_TEST_CLOCK: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the blog did not start:\n${output}`)), 20_000)
    const read = (chunk) => {
      output += chunk.toString()
      const match = /at (http:\/\/localhost:\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.once('exit', (code) => reject(new Error(`the blog exited with ${code}:\n${output}`)))
  })
  return {
    url,
    dbPath,
    /** What the server printed so far. */
    output: () => output,
    async stop() {
      child.kill()
      await new Promise((resolve) => child.once('exit', resolve))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
