// A real `astro build` with the plugin in Astro's Vite config: the frontmatter of a pragma page
// is cached in the built server, a page without the pragma is not.
import { spawn, spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, packageBin } from '../../../../test/processes.js'

const APP = join(dirname(fileURLToPath(import.meta.url)), 'app')
const ASTRO_BIN = packageBin('astro')
const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' }
let buildOutput = ''
let server: ReturnType<typeof spawn> | undefined
let origin = ''

beforeAll(async () => {
  const build = spawnSync(process.execPath, [ASTRO_BIN, 'build', '--root', APP], { cwd: APP, encoding: 'utf8', env, timeout: 180_000 })
  buildOutput = `${build.stdout}\n${build.stderr}`
  if (build.status !== 0) throw new Error(`astro build failed:\n${buildOutput}`)
  const port = await freePort()
  origin = `http://127.0.0.1:${port}`
  server = spawn(process.execPath, [join(APP, 'dist/server/entry.mjs')], { env: { ...env, HOST: '127.0.0.1', PORT: String(port) }, stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    if (await fetch(origin).then(() => true, () => false)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the Astro server did not start')
}, 200_000)

afterAll(() => {
  server?.kill()
  rmSync(join(APP, 'dist'), { recursive: true, force: true })
  rmSync(join(APP, '.astro'), { recursive: true, force: true })
})

const text = async (path: string) => (await (await fetch(`${origin}${path}`)).text()).match(/<p>([^<]*)<\/p>/)?.[1]

describe('astro build with the plugin', () => {
  it('lists the cached .astro page in the build output', () => {
    expect(buildOutput).toMatch(/\[revalidate\] 1 cached page\(s\)[\s\S]*\/\s+60s\s+node/)
  })

  it('serves the pragma page’s frontmatter data from cache, and loads the other page’s every time', async () => {
    expect(await text('/')).toBe('Front page, edition 1')
    expect(await text('/')).toBe('Front page, edition 1')
    expect(await text('/live')).toBe('Live, edition 1')
    expect(await text('/live')).toBe('Live, edition 2')
  })
})
