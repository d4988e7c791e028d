// The manifest of cached routes: what a real `vite build` writes in each environment's output,
// and the per-page records a Next.js build merges (its loader skips pages a cached build kept).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type InlineConfig } from 'vite'
import { afterAll, describe, expect, it } from 'vitest'
import { MANIFEST_FILE, manifestRoute, readManifest, recordCompiledPage, recordedPages } from '../src/manifest.js'
import revalidate from '../src/vite.js'

const APP = join(dirname(fileURLToPath(import.meta.url)), 'vite-app')
const OUT = mkdtempSync(join(tmpdir(), 'revalidate-manifest-'))
afterAll(() => rmSync(OUT, { recursive: true, force: true }))

function buildInto(outDir: string, overrides: InlineConfig['build']) {
  return build({ root: APP, configFile: false, logLevel: 'silent', plugins: [revalidate()], build: { outDir, emptyOutDir: true, ...overrides } })
}

describe('the manifest a vite build writes', () => {
  it('server build: every cached route, with each field, in its output directory; the same bytes on a second build', async () => {
    const outDir = join(OUT, 'server')
    await buildInto(outDir, { ssr: 'src/entry-server.js' })
    const path = join(outDir, MANIFEST_FILE)
    const manifest = readManifest(path)
    expect(manifest).toEqual({
      version: 1,
      plugin: JSON.parse(readFileSync(join(APP, '../../package.json'), 'utf8')).version,
      environment: 'ssr',
      routes: [
        {
          route: '/posts/[slug]',
          ttl: 60,
          stale: null,
          tags: [],
          query: [],
          version: expect.stringMatching(/^[\da-f]{12}$/),
          target: 'node',
          framework: 'vite',
          vercel: null,
          source: 'src/routes/posts/[slug].js',
        },
      ],
    })
    const first = readFileSync(path, 'utf8')
    await buildInto(outDir, { ssr: 'src/entry-server.js' })
    expect(readFileSync(path, 'utf8')).toBe(first)
  })

  it('client build: a manifest of its own when it cached pages (in the browser), none otherwise; a server build always has one', async () => {
    await buildInto(join(OUT, 'client'), { rollupOptions: { input: join(APP, 'src/client.js') } })
    expect(readManifest(join(OUT, 'client', MANIFEST_FILE))).toMatchObject({ environment: 'client', routes: [{ route: '/widget', ttl: 300, target: 'browser', source: 'src/routes/widget.js' }] })

    await buildInto(join(OUT, 'plain-client'), { rollupOptions: { input: join(APP, 'src/db.js') } })
    expect(existsSync(join(OUT, 'plain-client', MANIFEST_FILE))).toBe(false)
    await buildInto(join(OUT, 'plain-server'), { ssr: 'src/db.js' })
    expect(readManifest(join(OUT, 'plain-server', MANIFEST_FILE))).toMatchObject({ environment: 'ssr', routes: [] })
  })
})

describe('per-page records (Next.js)', () => {
  it('the build’s routes are the records of pages that still exist with a pragma; the others are dropped', () => {
    const root = mkdtempSync(join(tmpdir(), 'revalidate-records-'))
    const records = join(root, '.next/cache/revalidate-pages')
    try {
      const page = (file: string, code: string) => {
        mkdirSync(dirname(join(root, file)), { recursive: true })
        writeFileSync(join(root, file), code)
        const route = `/${file.split('/').slice(1, -1).join('/')}`
        recordCompiledPage(records, manifestRoute({ ttl: 60, route, target: 'vercel', vercel: 'route segment config', framework: 'next', query: [], tags: [], file, component: false, hash: false, pragma: { text: '// Pragma: revalidate 60', line: 1 } }, join(root, file), root))
      }
      page('app/kept/page.tsx', '// Pragma: revalidate 60\nexport default async function Page() { return null }\n')
      page('app/deleted/page.tsx', '// Pragma: revalidate 60\nexport default async function Page() { return null }\n')
      page('app/plain/page.tsx', '// Pragma: revalidate 60\nexport default async function Page() { return null }\n')
      page('app/kept/page.tsx', '// Pragma: revalidate 60\nexport default async function Page() { return <p>again</p> }\n') // compiled twice: one record
      rmSync(join(root, 'app/deleted/page.tsx'))
      writeFileSync(join(root, 'app/plain/page.tsx'), 'export default async function Page() { return null }\n')
      expect(readdirSync(records)).toHaveLength(3)

      expect(recordedPages(records, root)).toEqual([expect.objectContaining({ route: '/kept', source: 'app/kept/page.tsx', version: null, vercel: 'route segment config' })])
      expect(readdirSync(records)).toHaveLength(1)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
