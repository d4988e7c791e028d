// Builds frameworks/astro-cache with `astro build` and serves the build with its own server
// (`node dist/server/entry.mjs`, @astrojs/node standalone), with the cache provider chosen at start
// (CACHE_PROVIDER: revalidate, revalidate-redis, astro-memory). Used by its test and by
// bench/astro-cache.mjs.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const APP_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

const require = createRequire(import.meta.url)

function astroBin() {
  const manifest = require.resolve('astro/package.json')
  return join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin.astro)
}

/** `astro build`, as a user runs it; throws with its output when it fails. */
export function buildApp() {
  const build = spawnSync(process.execPath, [astroBin(), 'build'], {
    cwd: APP_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1' },
  })
  const output = `${build.stdout}\n${build.stderr}`
  if (build.status !== 0) throw new Error(`astro build failed:\n${output}`)
  return output
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
    probe.once('error', reject)
  })
}

/**
 * The site's host, sent by every request to every server: instances behind a load balancer all
 * see the site's own `Host`, which Astro puts in `Astro.url` (and so in the cache key). `fetch`
 * may not set `Host`, hence node:http.
 */
export const SITE_HOST = 'astro-cache.test'

function get(port, path, headers) {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, headers: { host: SITE_HOST, ...headers } }, (incoming) => {
      let body = ''
      incoming.setEncoding('utf8')
      incoming.on('data', (chunk) => (body += chunk))
      incoming.on('end', () => resolve({ status: incoming.statusCode, headers: incoming.headers, body }))
      incoming.on('error', reject)
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

/** Serves the build with `provider`; resolves once it answers. */
export async function startApp({ provider, env = {} }) {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, ['dist/server/entry.mjs'], {
    cwd: APP_ROOT,
    env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1', PORT: String(port), HOST: '127.0.0.1', CACHE_PROVIDER: provider, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk.toString()))
  child.stderr.on('data', (chunk) => (output += chunk.toString()))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  for (const deadline = Date.now() + 30_000; ; ) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`)
    if (await fetch(`${origin}/test-api/calls`).then(() => true, () => false)) break
    if (Date.now() > deadline) throw new Error(`the server did not answer within 30 s:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const post = async (action, params = {}) => {
    const query = new URLSearchParams(Object.entries(params).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((item) => [name, item])))
    // JSON, so that Astro's origin check does not take it for a cross-site form post.
    const response = await fetch(`${origin}/test-api/${action}?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    if (!response.ok) throw new Error(`POST ${action}: ${response.status} ${await response.text()}`)
  }
  return {
    origin,
    provider,
    output: () => output,
    async get(path, headers = {}) {
      const response = await get(port, path, headers)
      const body = response.body
      return {
        status: response.status,
        body,
        cache: response.headers['x-astro-cache'] ?? null,
        age: response.headers.age ?? null,
        setCookie: response.headers['set-cookie']?.join(', ') ?? null,
        render: Number(/id="render">(\d+)</.exec(body)?.[1]),
        title: /id="title">([^<]*)</.exec(body)?.[1],
      }
    },
    /** Renders so far, by page. */
    async renders() {
      return (await fetch(`${origin}/test-api/calls`)).json()
    },
    rename: (slug, title) => post('rename', { slug, title }),
    closeGate: (slug) => post('close-gate', { slug }),
    openGate: (slug) => post('open-gate', { slug }),
    /** Astro.cache.invalidate({ path, tags }) in the server. */
    invalidate: ({ path, tags = [] }) => post('invalidate', { ...(path === undefined ? {} : { path }), tag: tags }),
    /** invalidate(key) of @revalidate/runtime in the server. */
    invalidatePage: (key) => post('invalidate-page', { key }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill()
      await exited
    },
  }
}

/** Renders of `page` summed over servers (instances over one Redis each count their own). */
export async function rendersOf(apps, page) {
  const counts = await Promise.all(apps.map((app) => app.renders()))
  return counts.reduce((sum, count) => sum + (count[page] ?? 0), 0)
}

/**
 * `count` concurrent GETs of `path`, spread over `apps` in turn; the renders of `page` they made,
 * counted once the server has settled (background renders included) after `settleMs`.
 */
export async function burst(apps, path, page, { count = 30, settleMs = 500 } = {}) {
  const before = await rendersOf(apps, page)
  const responses = await Promise.all(Array.from({ length: count }, (_, i) => apps[i % apps.length].get(path)))
  await new Promise((resolve) => setTimeout(resolve, settleMs))
  return { responses, renders: (await rendersOf(apps, page)) - before }
}
