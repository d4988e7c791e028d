// The manifest a `next build` writes (.next/.revalidate/manifest.json), over builds that reuse
// Turbopack's build cache in .next/cache: the loader then runs only on the pages that changed, so
// the manifest must keep the pages it did not see, take the new ones and drop a removed pragma.
// On a copy of the `loader` app, so that next.test.ts's builds of it are left alone.
import { spawnSync } from 'node:child_process'
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MANIFEST_FILE, readManifest } from '../../src/manifest.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const NEXT_BIN = join(dirname(createRequire(import.meta.url).resolve('next/package.json')), 'dist/bin/next')
const APP = join(HERE, `.tmp-manifest-${process.pid}`)
const BUILD_TIMEOUT = 240_000

function nextBuild() {
  const run = spawnSync(process.execPath, [NEXT_BIN, 'build', APP], { cwd: APP, encoding: 'utf8', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, timeout: BUILD_TIMEOUT })
  const output = `${run.stdout}\n${run.stderr}`
  if (run.status !== 0) throw new Error(`next build failed:\n${output}`)
  return output
}

const routesOfManifest = () => readManifest(join(APP, '.next', MANIFEST_FILE)).routes.map((route) => `${route.route} ${route.ttl}s ${route.source}`)

beforeAll(() => {
  rmSync(APP, { recursive: true, force: true })
  cpSync(join(HERE, 'loader'), APP, { recursive: true, filter: (source) => !source.includes('/.next') })
})
afterAll(() => rmSync(APP, { recursive: true, force: true }))

describe('the manifest of a next build', () => {
  it('lists each cached route with its fields', () => {
    const output = nextBuild()
    expect(readManifest(join(APP, '.next', MANIFEST_FILE))).toMatchObject({
      version: 1,
      environment: 'next',
      routes: [{ route: '/posts', ttl: 45, stale: null, tags: [], query: [], version: null, target: 'vercel', framework: 'next', vercel: 'route segment config', source: 'app/posts/page.jsx' }],
    })
    expect(output).toMatch(/\[revalidate\] 1 cached route\(s\):\n\s+\/posts\s+45s/)
  }, BUILD_TIMEOUT)

  it('a build over the cached one keeps the pages its loader no longer sees, and adds a new pragma', () => {
    const about = join(APP, 'app/about/page.jsx')
    writeFileSync(about, `// Pragma: revalidate 30\n${readFileSync(about, 'utf8')}`)
    const output = nextBuild()
    expect(routesOfManifest()).toEqual(['/about 30s app/about/page.jsx', '/posts 45s app/posts/page.jsx'])
    expect(output).toMatch(/\[revalidate\] 2 cached route\(s\):\n\s+\/about\s+30s.*\n\s+\/posts\s+45s/)
  }, BUILD_TIMEOUT)

  it('drops a page whose pragma was removed', () => {
    const posts = join(APP, 'app/posts/page.jsx')
    writeFileSync(posts, readFileSync(posts, 'utf8').replace('// Pragma: revalidate 45\n', ''))
    nextBuild()
    expect(routesOfManifest()).toEqual(['/about 30s app/about/page.jsx'])
  }, BUILD_TIMEOUT)
})
