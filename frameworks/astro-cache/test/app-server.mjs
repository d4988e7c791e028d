// Builds frameworks/astro-cache with `astro build` and serves the build: with its own server
// (`node dist/server/entry.mjs`, @astrojs/node standalone) and the cache provider chosen at start
// (CACHE_PROVIDER: revalidate, revalidate-redis, astro-memory), or the @astrojs/cloudflare build
// in Miniflare with the REVALIDATE Durable Object. Both answer through one interface (`App`, in
// app-server.d.mts). Used by the app's tests and by bench/astro-cache.mjs.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const APP_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const CLOUDFLARE_CONFIG = 'astro.cloudflare.config.mjs'
const CLOUDFLARE_SERVER = join(APP_ROOT, 'dist-cloudflare', 'server')

/**
 * The site's host, sent by every request to every server: instances behind a load balancer all
 * see the site's own `Host`, which Astro puts in `Astro.url` (and so in the cache key). `fetch`
 * may not set `Host`, hence node:http.
 */
export const SITE_HOST = 'astro-cache.test'

const require = createRequire(import.meta.url)

function astroBin() {
  const manifest = require.resolve('astro/package.json')
  return join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin.astro)
}

/** `astro build` (with `--config <config>` when given), as a user runs it; throws with its output when it fails. */
export function buildApp(config) {
  const build = spawnSync(process.execPath, [astroBin(), 'build', ...(config ? ['--config', config] : [])], {
    cwd: APP_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1' },
  })
  const output = `${build.stdout}\n${build.stderr}`
  if (build.status !== 0) throw new Error(`astro build${config ? ` --config ${config}` : ''} failed:\n${output}`)
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

/** One request over node:http: `{ status, header(name), setCookies, body }`. */
function sendOverHttp(port, method, path, headers) {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method, path, headers: { host: SITE_HOST, ...headers } }, (incoming) => {
      let body = ''
      incoming.setEncoding('utf8')
      incoming.on('data', (chunk) => (body += chunk))
      incoming.on('end', () => {
        const header = (name) => {
          const value = incoming.headers[name]
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
        }
        resolve({ status: incoming.statusCode, header, setCookies: incoming.headers['set-cookie'] ?? [], body })
      })
      incoming.on('error', reject)
    })
    outgoing.on('error', reject)
    outgoing.end(method === 'POST' ? '{}' : undefined)
  })
}

/** The App interface over `send(method, path, headers)`. */
function appOver({ provider, origin, send, output, stop }) {
  const post = async (action, params = {}) => {
    const query = new URLSearchParams(Object.entries(params).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((item) => [name, item])))
    // JSON, so that Astro's origin check does not take it for a cross-site form post.
    const response = await send('POST', `/test-api/${action}?${query}`, { 'content-type': 'application/json' })
    if (response.status !== 200) throw new Error(`POST ${action}: ${response.status} ${response.body}`)
  }
  return {
    origin,
    provider,
    output,
    async get(path, headers = {}) {
      const { status, header, setCookies, body } = await send('GET', path, headers)
      return {
        status,
        body,
        cache: header('x-astro-cache'),
        age: header('age'),
        setCookie: setCookies.length === 0 ? null : setCookies.join(', '),
        render: Number(/id="render">(\d+)</.exec(body)?.[1]),
        title: /id="title">([^<]*)</.exec(body)?.[1],
      }
    },
    async renders() {
      return JSON.parse((await send('GET', '/test-api/calls', {})).body)
    },
    rename: (slug, title) => post('rename', { slug, title }),
    closeGate: (slug) => post('close-gate', { slug }),
    openGate: (slug) => post('open-gate', { slug }),
    invalidate: ({ path, tags = [] }) => post('invalidate', { ...(path === undefined ? {} : { path }), tag: tags }),
    invalidatePage: (key) => post('invalidate-page', { key }),
    stop,
  }
}

/** Serves the Node build with `provider`; resolves once it answers. */
export async function startApp({ provider, env = {} }) {
  const port = await freePort()
  const child = spawn(process.execPath, ['dist/server/entry.mjs'], {
    cwd: APP_ROOT,
    env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1', PORT: String(port), HOST: '127.0.0.1', CACHE_PROVIDER: provider, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk.toString()))
  child.stderr.on('data', (chunk) => (output += chunk.toString()))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const send = (method, path, headers) => sendOverHttp(port, method, path, headers)
  for (const deadline = Date.now() + 30_000; ; ) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`)
    if (await send('GET', '/test-api/calls', {}).then(() => true, () => false)) break
    if (Date.now() > deadline) throw new Error(`the server did not answer within 30 s:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return appOver({
    provider,
    origin: `http://127.0.0.1:${port}`,
    send,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill()
      await exited
    },
  })
}

/** Serves the Cloudflare build in Miniflare, as its wrangler.json says, with the REVALIDATE Durable Object. */
export async function startCloudflareApp() {
  const { Miniflare } = await import('miniflare')
  const wrangler = JSON.parse(readFileSync(join(CLOUDFLARE_SERVER, 'wrangler.json'), 'utf8'))
  let output = ''
  const worker = new Miniflare({
    modules: true,
    scriptPath: join(CLOUDFLARE_SERVER, wrangler.main),
    modulesRoot: CLOUDFLARE_SERVER,
    modulesRules: [{ type: 'ESModule', include: ['**/*.mjs', '**/*.js'] }],
    compatibilityDate: wrangler.compatibility_date,
    compatibilityFlags: wrangler.compatibility_flags,
    durableObjects: Object.fromEntries(wrangler.durable_objects.bindings.map(({ name, class_name }) => [name, { className: class_name, useSQLite: true }])),
    kvNamespaces: wrangler.kv_namespaces.map(({ binding }) => binding),
    handleRuntimeStdio(stdout, stderr) {
      stdout.on('data', (chunk) => (output += chunk.toString()))
      stderr.on('data', (chunk) => (output += chunk.toString()))
    },
  })
  await worker.ready
  const send = async (method, path, headers) => {
    const response = await worker.dispatchFetch(`http://${SITE_HOST}${path}`, { method, headers, body: method === 'POST' ? '{}' : undefined })
    return { status: response.status, header: (name) => response.headers.get(name), setCookies: response.headers.getSetCookie(), body: await response.text() }
  }
  return appOver({ provider: 'revalidate-cloudflare', origin: `http://${SITE_HOST}`, send, output: () => output, stop: () => worker.dispose() })
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
