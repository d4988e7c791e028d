// `telemetry: true` in an app without @opentelemetry/api: the built runtime (dist/), installed in a
// folder of its own where the API cannot be resolved, run in a child process. Nothing breaks, the
// cache behaves as without telemetry, the absence is reported once through onEvent, and nothing
// of OpenTelemetry is set up (no global API registry).
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const RUNTIME = join(dirname(fileURLToPath(import.meta.url)), '..')
const app = mkdtempSync(join(tmpdir(), 'revalidate-no-otel-'))
afterAll(() => rmSync(app, { recursive: true, force: true }))

const SCRIPT = `
import { createRequire } from 'node:module'
import { createCache } from '@revalidate/runtime'

let resolvable = true
try { createRequire(import.meta.url).resolve('@opentelemetry/api') } catch { resolvable = false }

async function scenario(telemetry) {
  let now = 1_000_000
  const errors = []
  const cache = createCache({ telemetry, now: () => now, onEvent: (event) => event.type === 'error' && errors.push(String(event.error?.message ?? event.error)) })
  const values = []
  values.push(await cache.withRevalidate('post:1', 60, () => 'first'))        // miss
  values.push(await cache.withRevalidate('post:1', 60, () => 'second'))       // hit
  now += 61_000
  values.push(await cache.withRevalidate('post:1', 60, () => 'refreshed'))    // stale, refresh
  await new Promise((resolve) => setTimeout(resolve, 20))
  values.push(await cache.withRevalidate('post:1', 60, () => 'unused'))       // hit of the refreshed value
  now += 61_000
  values.push(await cache.withRevalidate('post:1', 60, () => Promise.reject(new Error('refresh failed'))))
  await new Promise((resolve) => setTimeout(resolve, 20))
  let release
  const fenced = cache.withRevalidate('post:2', 60, () => new Promise((resolve) => (release = resolve)))
  await new Promise((resolve) => setTimeout(resolve, 5))
  await cache.invalidate('post:2')
  release('fenced value')
  values.push(await fenced)
  values.push(await cache.withRevalidate('post:2', 60, () => 'after the fence'))
  await cache.invalidateTag('posts')
  await cache.invalidateAll()
  return { values, errors, stats: cache.stats() }
}

console.log(JSON.stringify({
  resolvable,
  withTrue: await scenario(true),
  withOptions: await scenario({ keyAttribute: 'full' }),
  registry: Object.getOwnPropertySymbols(globalThis).map(String).filter((name) => name.includes('opentelemetry')),
}))
`

describe('telemetry with @opentelemetry/api absent', () => {
  it('nothing breaks, the cache serves as without telemetry, one report of the absence, nothing set up', () => {
    const dist = join(RUNTIME, 'dist')
    if (!existsSync(join(dist, 'index.js'))) throw new Error('packages/runtime/dist is missing: run `npm run build` first (this test runs the built runtime)')
    const installed = join(app, 'node_modules/@revalidate/runtime')
    cpSync(dist, join(installed, 'dist'), { recursive: true })
    cpSync(join(RUNTIME, 'package.json'), join(installed, 'package.json'))
    // devalue exports no package.json: its folder is the one above its main file's `src/`.
    const devalueMain = createRequire(join(RUNTIME, 'package.json')).resolve('devalue')
    const devalue = devalueMain.slice(0, devalueMain.lastIndexOf('/node_modules/devalue/') + '/node_modules/devalue'.length)
    cpSync(devalue, join(app, 'node_modules/devalue'), { recursive: true })
    writeFileSync(join(app, 'package.json'), '{ "type": "module" }')
    writeFileSync(join(app, 'check.mjs'), SCRIPT)
    const output = execFileSync(process.execPath, ['check.mjs'], { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } })
    const result = JSON.parse(output)
    expect(result.resolvable).toBe(false) // the API really is absent for the runtime
    for (const run of [result.withTrue, result.withOptions]) {
      expect(run.values).toEqual(['first', 'first', 'first', 'refreshed', 'refreshed', 'fenced value', 'after the fence'])
      expect(run.errors.filter((message: string) => message.includes('@opentelemetry/api could not be loaded'))).toHaveLength(1)
      expect(run.errors.filter((message: string) => !message.includes('@opentelemetry/api'))).toEqual(['refresh failed'])
      expect(run.stats.lookups).toEqual({ hit: 2, stale: 2, miss: 3 })
      expect(run.stats.refreshes).toMatchObject({ ok: 1, error: 1 })
    }
    expect(result.registry).toEqual([])
  })
})
