// SvelteKit 3: `vite build` with adapter-node, served by `node build`.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unflatten } from 'devalue'
import { describe, expect, it } from 'vitest'
import { chromiumIsAvailable, launchChromium } from '../../../test/chromium.js'
import { packageBin } from '../../../test/processes.js'
import { describeCachedFunction, describeClientNavigation, describeContract, useApp, type FrameworkApp } from '../../test/contract.js'

const root = join(import.meta.dirname, '..')

const app: FrameworkApp = {
  name: 'SvelteKit 3',
  root,
  build: [packageBin('vite'), 'build'],
  serve: () => ({ args: ['build'] }),
  // Client navigations fetch `<path>/__data.json`: one devalue-encoded node per load, the page's last.
  dataRequest: (path) => `${path}/__data.json`,
  titleIn: (body) => (body.startsWith('{') ? pageDataOf(body)?.post?.title : /Post ([^<]+)<\/h2>/.exec(body)?.[1]),
}

function pageDataOf(body: string): { post?: { title: string } } | undefined {
  const { nodes } = JSON.parse(body) as { nodes: Array<{ data?: unknown[] } | null> }
  const page = nodes.at(-1)?.data
  return page ? (unflatten(page) as { post?: { title: string } }) : undefined
}

const running = useApp(app)
describeContract(app, running)
describeClientNavigation(app, running)
describeCachedFunction(app, running)

// SvelteKit reruns a load when a search param it read changes: the query-listed page keeps that on hits.
describe.skipIf(!chromiumIsAvailable())('SvelteKit 3: query tracking in Chromium', () => {
  it('from ?page=1 to ?page=2 and back shows the right page, on misses and on hits', async () => {
    const browser = await launchChromium()
    try {
      for (const round of ['miss', 'hit']) {
        const page = await browser.newPage()
        await page.goto(`${running.origin}/archive?page=1`, { waitUntil: 'networkidle' })
        await expect.poll(() => page.textContent('#archive-title'), { message: round }).toBe('Page 1: Hello')
        await page.click('a.archive-page:text-is("2")')
        await expect.poll(() => page.textContent('#archive-title'), { message: round }).toBe('Page 2: World')
        await page.click('a.archive-page:text-is("1")')
        await expect.poll(() => page.textContent('#archive-title'), { message: round }).toBe('Page 1: Hello')
        await page.close()
      }
    } finally {
      await browser.close()
    }
  })
})

// On Vercel (VERCEL set, as in its builds) the pragma becomes SvelteKit's own ISR config, which
// SvelteKit accepts (it refuses a `revalidate` export) and resolves into each route's config.
describe('SvelteKit 3 on Vercel', () => {
  it('compiles the pragma into config.isr, resolved per route as adapter-vercel reads it', () => {
    const record = join(mkdtempSync(join(tmpdir(), 'sveltekit-routes-')), 'routes.json')
    const build = spawnSync(process.execPath, [packageBin('vite'), 'build'], { cwd: root, encoding: 'utf8', env: { ...process.env, VERCEL: '1', REVALIDATE_ROUTE_CONFIG: record }, timeout: 240_000 })
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0)
    expect(build.stdout).toMatch(/\/posts\/\[slug\]\s+60s\s+vercel: ISR \(config\.isr\)/)
    const routes = JSON.parse(readFileSync(record, 'utf8')) as Record<string, { isr?: { expiration: number } }>
    expect(routes['/posts/[slug]']?.isr).toEqual({ expiration: 60 }) // its own, over its layout's
    expect(routes['/fast/[slug]']?.isr).toEqual({ expiration: 1 })
    expect(routes['/']?.isr).toBeUndefined()
  }, 300_000)
})

// A universal load runs again in the browser on hydration, and on a server cache hit SvelteKit has
// inlined no fetch response for it to reuse: the pragma there is refused, with the fix.
describe('SvelteKit 3: the pragma on a universal load (+page.ts)', () => {
  it('stops the build with the reason and the fix: move the load to +page.server.ts', () => {
    const app = join(root, 'test/universal-load')
    const build = spawnSync(process.execPath, [packageBin('vite'), 'build'], { cwd: app, encoding: 'utf8', timeout: 240_000 })
    const output = `${build.stdout}\n${build.stderr}`
    expect(build.status, output).not.toBe(0)
    expect(output).toContain(`[plugin revalidate] ${join(app, 'src/routes/posts/+page.ts')}:1:1\nRevalidateError: [RV308] A universal load (\`+page.ts\`, \`+layout.ts\`) runs again in the browser when the page hydrates`)
    expect(output).toContain('On a cache hit the load does not run on the server, nothing is inlined, and the browser fetches the data again')
    expect(output).toContain('Fix: move the load to `+page.server.ts` (or `+layout.server.ts`)')
  }, 300_000)
})
