// A real `vite build` with target vercel writes Vercel's Build Output: checked against Vercel's
// own build utilities, and its function served by a local Node server.
import { existsSync, lstatSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Prerender } from '@vercel/build-utils'
import { normalizeRoutes } from '@vercel/routing-utils'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import revalidate from '../src/vite.js'

const APP = join(dirname(fileURLToPath(import.meta.url)), 'vercel-app')
const OUTPUT = join(APP, '.vercel/output')
const FUNCTIONS = join(OUTPUT, 'functions')
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>

function buildForVercel() {
  return build({ root: APP, configFile: false, logLevel: 'silent', plugins: [revalidate({ target: 'vercel' })], build: { ssr: 'src/entry-server.js', outDir: join(APP, 'dist/server') } })
}

beforeAll(async () => {
  await buildForVercel()
})
afterAll(() => {
  rmSync(join(APP, '.vercel'), { recursive: true, force: true })
  rmSync(join(APP, 'dist'), { recursive: true, force: true })
})

describe('vite build with target vercel', () => {
  it('writes a config.json Vercel accepts, with the dynamic route sent to its function', () => {
    const config = read(join(OUTPUT, 'config.json')) as { version: number; routes: unknown[] }
    expect(config.version).toBe(3)
    expect(normalizeRoutes(config.routes as never).error).toBeNull()
    expect(config.routes).toContainEqual({ src: '^/posts/([^/]+?)/?$', dest: '/posts/[slug]?slug=$1' })
  })

  it('gives every route a function (one shared Node function) and only cached routes a prerender config', () => {
    for (const route of ['index', 'about', 'posts/[slug]']) {
      const link = join(FUNCTIONS, `${route}.func`)
      expect(lstatSync(link).isSymbolicLink(), route).toBe(true)
      expect(join(dirname(link), readlinkSync(link))).toBe(join(FUNCTIONS, '__render.func'))
    }
    expect(read(join(FUNCTIONS, '__render.func/.vc-config.json'))).toMatchObject({ runtime: 'nodejs20.x', handler: 'index.mjs', launcherType: 'Nodejs' })
    expect(existsSync(join(FUNCTIONS, 'about.prerender-config.json'))).toBe(false)
    const home = read(join(FUNCTIONS, 'index.prerender-config.json'))
    const post = read(join(FUNCTIONS, 'posts/[slug].prerender-config.json'))
    expect(home).toMatchObject({ expiration: 60, allowQuery: [] })
    expect(post).toMatchObject({ expiration: 300, allowQuery: ['slug', 'ref'] })
  })

  it('writes prerender configs that Vercel’s own Prerender accepts, with the token the function knows', () => {
    const environment = (read(join(FUNCTIONS, '__render.func/.vc-config.json')).environment as Record<string, string>).REVALIDATE_BYPASS_TOKEN
    for (const file of ['index.prerender-config.json', 'posts/[slug].prerender-config.json']) {
      const config = read(join(FUNCTIONS, file)) as { expiration: number; allowQuery: string[]; bypassToken: string }
      expect(config.bypassToken).toBe(environment)
      expect(() => new Prerender({ expiration: config.expiration, bypassToken: config.bypassToken, allowQuery: config.allowQuery, fallback: null } as never)).not.toThrow()
    }
  })

  it('the function renders the routes when served by Node', async () => {
    const handler = (await import(pathToFileURL(join(FUNCTIONS, '__render.func/index.mjs')).href)) as { default: RequestListener }
    const server = createServer(handler.default)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const post = await fetch(`${origin}/posts/hello?ref=feed`)
      expect(post.status).toBe(200)
      expect(await post.text()).toBe('<h1>Post hello</h1><p>via feed</p>')
      expect(await (await fetch(`${origin}/`)).text()).toContain('Why stale is often fine')
    } finally {
      server.close()
    }
  })

  it('refuses a REVALIDATE_BYPASS_TOKEN shorter than Vercel accepts', async () => {
    process.env.REVALIDATE_BYPASS_TOKEN = 'too-short'
    try {
      await expect(buildForVercel()).rejects.toThrow(/REVALIDATE_BYPASS_TOKEN has 9 characters; Vercel needs at least 32/)
    } finally {
      delete process.env.REVALIDATE_BYPASS_TOKEN
    }
  })
})
