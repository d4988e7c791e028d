// `revalidate warm` against a real HTTP site (site.ts): what it requests, how it retries, waits
// and limits itself, what it prints and the exit code; and every bad input as one line.
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../../../../test/processes.js'
import type { WarmSummary } from '../../src/warm/report.js'
import { buildFolder, runWarm, startSite, type Behaviour, type Site } from './site.js'

let site: Site | undefined
let folder: ReturnType<typeof buildFolder> | undefined
afterEach(async () => {
  await site?.close()
  folder?.remove()
  site = undefined
  folder = undefined
})

const BLOG_ROUTES = [{ route: '/' }, { route: '/posts/[slug]' }, { route: '/categories/:id', query: ['page'] }]

async function blogSite(extra: Record<string, Behaviour> = {}) {
  const paths: Record<string, Behaviour> = { '/': 'cached', '/posts/a': 'cached', '/posts/b': 'cached', '/categories/1': 'cached', ...extra }
  site = await startSite((path) => paths[path])
  folder = buildFolder(BLOG_ROUTES)
  return { site, folder }
}

const json = (stdout: string) => JSON.parse(stdout) as WarmSummary
const NO_STACK = /\n\s+at .+:\d+:\d+/

describe('revalidate warm', () => {
  it('requests every static route and the given URLs of dynamic ones, marked as a warm-up; the second run finds them HIT', async () => {
    const { site, folder } = await blogSite()
    const urls = folder.file('urls.txt', '# posts\n/posts/a\nhttps://blog.example/posts/b?utm=feed\n\n/categories/1?page=2&utm=x  # with its page\n/about\n')
    const first = await runWarm([site.url, '--urls', urls, '--json', '--header', 'x-vercel-protection-bypass: s3cret'], folder.root)
    expect(first.code, first.stderr).toBe(0)
    const summary = json(first.stdout)
    expect(summary.results.map((result) => [new URL(result.url).pathname + new URL(result.url).search, result.route, result.outcome])).toEqual([
      ['/', '/', 'warmed'],
      ['/posts/a', '/posts/[slug]', 'warmed'],
      ['/posts/b', '/posts/[slug]', 'warmed'], // the query names no part of its key: not sent
      ['/categories/1?page=2', '/categories/:id', 'warmed'], // `page` is, `utm` is not
    ])
    expect(summary).toMatchObject({ ok: true, counts: { warmed: 4, hit: 0, stale: 0, uncached: 0, failed: 0 }, unmatched: ['/about'], routesWithoutUrls: [], manifests: ['dist/server/.revalidate/manifest.json'] })
    expect(site.requests.every((request) => request.headers['x-revalidate-warm'] === '1' && request.headers['x-vercel-protection-bypass'] === 's3cret')).toBe(true)
    expect(site.requests.map((request) => request.path)).not.toContain('/about')

    const second = await runWarm([site.url, '--urls', urls, '--json'], folder.root)
    expect(json(second.stdout).counts).toEqual({ warmed: 0, hit: 4, stale: 0, uncached: 0, failed: 0 })
  })

  it('prints one line per URL and a summary naming each failure with its status and time; exit code 1', async () => {
    const { site, folder } = await blogSite({ '/posts/gone': 'missing', '/posts/broken': 'broken', '/posts/plain': 'plain' })
    const urls = folder.file('urls.txt', '/posts/a\n/posts/gone\n/posts/broken\n/posts/plain\n')
    const run = await runWarm([site.url, '--urls', urls, '--retries', '1', '--concurrency', '1'], folder.root)
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/^MISS +200 {2}\/ {2}\d+ ms$/m)
    expect(run.stdout).toMatch(/^FAIL +404 {2}\/posts\/gone {2}\d+ ms$/m) // a 4xx is not retried
    expect(run.stdout).toMatch(/^FAIL +500 {2}\/posts\/broken {2}[\d.]+ m?s, 2 attempts$/m)
    expect(run.stdout).toMatch(/^NONE +200 {2}\/posts\/plain/m)
    expect(run.stdout).toMatch(/revalidate warm: 5 URLs on http:\/\/127\.0\.0\.1:\d+\/ in [\d.]+ m?s\n {2}warmed \(MISS\) +2\n {2}already HIT +0\n {2}STALE, refreshing +0\n {2}no cache header +1\n {2}failed +2\n {6}404 {2}\/posts\/gone {2}\d+ ms\n {6}500 {2}\/posts\/broken {2}[\d.]+ m?s, 2 attempts\n/)
    expect(run.stdout).toContain('not warmed: no URL given for the dynamic route /categories/:id')
  })

  it('retries a 503 with backoff (honouring Retry-After) and a 429; counts them warmed', async () => {
    const { site, folder } = await blogSite({ '/posts/flaky': { failTimes: 2 }, '/posts/busy': { failTimes: 1, status: 429, retryAfter: '1' } })
    const urls = folder.file('urls.txt', '/posts/flaky\n/posts/busy\n')
    const run = await runWarm([site.url, '--urls', urls, '--json'], folder.root)
    expect(run.code, run.stdout).toBe(0)
    const byPath = Object.fromEntries(json(run.stdout).results.map((result) => [new URL(result.url).pathname, result]))
    expect(byPath['/posts/flaky']).toMatchObject({ outcome: 'warmed', status: 200, attempts: 3 })
    expect(byPath['/posts/busy']).toMatchObject({ outcome: 'warmed', status: 200, attempts: 2 })
    const times = (path: string) => site.requests.filter((request) => request.path === path).map((request) => request.at)
    const [a, b, c] = times('/posts/flaky')
    // 500 ms before the first retry, twice that before the second (timers fire late, never early).
    expect(b! - a!).toBeGreaterThanOrEqual(490)
    expect(c! - b!).toBeGreaterThanOrEqual(990)
    const [x, y] = times('/posts/busy')
    expect(y! - x!).toBeGreaterThanOrEqual(990) // Retry-After: 1, over the 500 ms backoff
  })

  it('gives up after --retries and after --timeout, naming why', async () => {
    const { site, folder } = await blogSite({ '/posts/slow': 'hang' })
    const urls = folder.file('urls.txt', '/posts/slow\n')
    const run = await runWarm([site.url, '--urls', urls, '--timeout', '0.3', '--retries', '0', '--json'], folder.root)
    expect(run.code).toBe(1)
    const slow = json(run.stdout).results.find((result) => result.url.endsWith('/posts/slow'))
    expect(slow).toMatchObject({ outcome: 'failed', status: null, attempts: 1, error: 'timed out after 0.3 s' })
  })

  it('stops when the site stops answering (killed mid-run), instead of asking for every URL left', async () => {
    const paths = Array.from({ length: 40 }, (_, i) => `/posts/p${i}`)
    folder = buildFolder([{ route: '/' }, { route: '/posts/[slug]' }])
    const urls = folder.file('urls.txt', paths.join('\n'))
    const dyingSite = async () => {
      let served = 0
      const started = await startSite(() => {
        if (++served === 5) void started.close() // the server dies while answering its fifth request
        return 'cached'
      })
      return (site = started)
    }
    const run = await runWarm([(await dyingSite()).url, '--urls', urls, '--retries', '0', '--concurrency', '2', '--json'], folder.root)
    expect(run.code).toBe(1)
    const summary = json(run.stdout)
    const [, inARow] = /^(\d+) requests in a row got no answer \(the last: connect ECONNREFUSED /.exec(summary.stopped?.reason ?? '') ?? []
    expect(Number(inARow)).toBeGreaterThanOrEqual(8) // then the requests in flight end too
    expect(summary.results.length + summary.stopped!.notRequested.length).toBe(41)
    expect(summary.results.length).toBeLessThan(20)
    // Those answered before the fifth request came (with it, the one in flight beside it dies too).
    expect(summary.results.slice(0, 3).map((result) => result.outcome)).toEqual(['warmed', 'warmed', 'warmed'])

    const text = await runWarm([(await dyingSite()).url, '--urls', urls, '--retries', '0'], folder.root)
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/\n {2}stopped: \d+ requests in a row got no answer \(the last: connect ECONNREFUSED .*\); \d+ URLs were not requested\. Is the site still running\?\n/)
  })

  it('keeps at most --concurrency requests in flight, and uses them', async () => {
    const paths = Array.from({ length: 12 }, (_, i) => `/posts/p${i}`)
    site = await startSite((path) => (path === '/' || paths.includes(path) ? { delayMs: 50 } : undefined))
    folder = buildFolder([{ route: '/' }, { route: '/posts/[slug]' }])
    const urls = folder.file('urls.txt', paths.join('\n'))
    for (const [concurrency, expected] of [['1', 1], ['3', 3], [undefined, 4]] as const) {
      await site.close()
      site = await startSite((path) => (path === '/' || paths.includes(path) ? { delayMs: 50 } : undefined))
      const run = await runWarm([site.url, '--urls', urls, '--json', ...(concurrency ? ['--concurrency', concurrency] : [])], folder.root)
      expect(run.code).toBe(0)
      expect(site.requests).toHaveLength(13)
      expect(site.maxInFlight(), `--concurrency ${concurrency ?? '(default)'}`).toBe(expected)
    }
  })

  it('reads URLs from a sitemap file, a gzipped one, a sitemap index on the site, and a module', async () => {
    const sitemapOf = (...paths: string[]) => `<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${paths.map((path) => `<url><loc>https://blog.example${path}</loc></url>`).join('')}</urlset>`
    const served: Record<string, string> = { '/sitemap-a.xml': sitemapOf('/posts/a') }
    const paths: Record<string, Behaviour> = { '/': 'cached', '/posts/a': 'cached', '/posts/b': 'cached', '/posts/c': 'cached', '/posts/d': 'cached' }
    const { createServer } = await import('node:http')
    const sitemaps = createServer((req, res) => (served[req.url!] ? res.writeHead(200, { 'content-type': 'application/xml' }).end(served[req.url!]) : res.writeHead(404).end()))
    await new Promise<void>((resolve) => sitemaps.listen(0, '127.0.0.1', resolve))
    const sitemapsUrl = `http://127.0.0.1:${(sitemaps.address() as { port: number }).port}`
    served['/sitemap.xml'] = `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${sitemapsUrl}/sitemap-a.xml</loc></sitemap></sitemapindex>`
    try {
      site = await startSite((path) => paths[path])
      folder = buildFolder([{ route: '/' }, { route: '/posts/[slug]' }])
      const file = folder.file('sitemap.xml', sitemapOf('/posts/b'))
      const gzipped = folder.file('sitemap.xml.gz', gzipSync(sitemapOf('/posts/c')))
      const module = folder.file('urls.mjs', "export default async function () { return ['/posts/d', new URL('https://blog.example/posts/a')] }\n")
      const run = await runWarm([site.url, '--sitemap', file, '--sitemap', gzipped, '--sitemap', `${sitemapsUrl}/sitemap.xml`, '--urls-module', module, '--json'], folder.root)
      expect(run.code, run.stderr).toBe(0)
      expect(json(run.stdout).results.map((result) => new URL(result.url).pathname)).toEqual(['/', '/posts/b', '/posts/c', '/posts/a', '/posts/d'])
    } finally {
      await new Promise((resolve) => sitemaps.close(resolve))
    }
  })

  it('on a terminal: a progress bar on stderr, failures above it, the summary on stdout', async () => {
    const { site, folder } = await blogSite({ '/posts/gone': 'missing' })
    const urls = folder.file('urls.txt', '/posts/a\n/posts/gone\n')
    const run = await runWarm([site.url, '--urls', urls], folder.root, { tty: true })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/\r\x1b\[2K\[░{30}\] 0\/3 {2}MISS 0 · HIT 0 · FAIL 0/)
    expect(run.stderr).toMatch(/\r\x1b\[2KFAIL +404 {2}\/posts\/gone {2}\d+ ms\n/)
    expect(run.stderr).toMatch(/\r\x1b\[2K\[█{30}\] 3\/3 {2}MISS 2 · HIT 0 · FAIL 1/)
    expect(run.stderr).not.toMatch(/MISS +200/) // no line per URL: the bar says it
    expect(run.stdout).toMatch(/^revalidate warm: 3 URLs on/)
  })

  it('warns of routes it cannot warm: dynamic ones without URLs, and those cached in the browser', async () => {
    site = await startSite(() => 'cached')
    folder = buildFolder([{ route: '/' }, { route: '/docs/[[...path]]' }, { route: '/island', target: 'browser' }])
    const run = await runWarm([site.url], folder.root)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('not warmed: no URL given for the dynamic route /docs/[[...path]]')
    expect(run.stdout).toContain("not warmed: /island, cached in each visitor's browser (target browser)")
    expect(site.requests.map((request) => request.path)).toEqual(['/'])
  })

  it('finds the manifests of the usual build folders, and takes a build folder as --manifest', async () => {
    site = await startSite(() => 'cached')
    folder = buildFolder([{ route: '/a' }])
    const client = buildFolder([{ route: '/b' }], 'client')
    try {
      const both = await runWarm([site.url, '--json', '--manifest', `${folder.root}/dist/server`, '--manifest', client.manifest], '/')
      expect(json(both.stdout).results.map((result) => new URL(result.url).pathname)).toEqual(['/a', '/b'])
      const found = await runWarm([site.url, '--json'], folder.root)
      expect(json(found.stdout).manifests).toEqual(['dist/server/.revalidate/manifest.json'])
    } finally {
      client.remove()
    }
  })

  it('requests the routes below the base URL’s path', async () => {
    site = await startSite((path) => (path.startsWith('/blog/') ? 'cached' : undefined))
    folder = buildFolder([{ route: '/' }, { route: '/posts/[slug]' }])
    const urls = folder.file('urls.txt', 'https://blog.example/blog/posts/a\n/posts/b\n')
    const run = await runWarm([`${site.url}/blog`, '--urls', urls, '--json'], folder.root)
    expect(run.code, run.stdout).toBe(0)
    expect(site.requests.map((request) => request.path)).toEqual(['/blog/', '/blog/posts/a', '/blog/posts/b'])
  })
})

describe('revalidate warm with bad input: one line, no stack', () => {
  async function fails(argv: (paths: { root: string; manifest: string; file: (name: string, text: string) => string }) => string[], code: number, message: RegExp) {
    folder?.remove()
    folder = buildFolder([{ route: '/' }, { route: '/posts/[slug]' }])
    const run = await runWarm(argv(folder), folder.root)
    expect(run.code).toBe(code)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(message)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).not.toMatch(NO_STACK)
  }

  it('a site that cannot be reached: exit code 1', async () => {
    const port = await freePort()
    await fails(() => [`http://127.0.0.1:${port}`, '--retries', '0'], 1, new RegExp(`^revalidate warm: cannot reach http://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED .*Is the site running at that address\\?\\n$`))
  })

  it('bad usage: exit code 2', async () => {
    await fails(() => [], 2, /give the address of the site to warm/)
    await fails(() => ['localhost:3000'], 2, /"localhost:3000" is not an http\(s\) address/)
    await fails(() => ['http://x', 'http://y'], 2, /one base URL is expected, got 2/)
    await fails(() => ['http://x', '--concurency', '2'], 2, /unknown option --concurency; did you mean --concurrency\?/)
    await fails(() => ['http://x', '--concurrency', '0'], 2, /--concurrency takes a whole number of at least 1, got "0"/)
    await fails(() => ['http://x', '--retries', '-1'], 2, /--retries needs a value; one that starts with "-" is written --retries=<value>/)
    await fails(() => ['http://x', '--timeout', 'soon'], 2, /--timeout takes a number of seconds greater than 0 and at most 86400, got "soon"/)
    await fails(() => ['http://x', '--timeout', '1e9'], 2, /--timeout takes a number of seconds greater than 0 and at most 86400, got "1e9"/)
    await fails(() => ['http://x', '--sitemap'], 2, /--sitemap needs a value/)
    await fails(() => ['http://x', '--header', 'x-bypass=1'], 2, /--header takes "Name: value", got "x-bypass=1"\./)
  })

  it('a missing manifest, one from another version, a damaged one', async () => {
    await fails(({ root }) => ['http://x', '--manifest', `${root}/nope.json`], 2, /--manifest .*nope\.json: no such file\./)
    await fails(({ root }) => ['http://x', '--manifest', root], 2, /is a folder without \.revalidate\/manifest\.json/)
    await fails(({ file }) => ['http://x', '--manifest', file('m.json', '{"version":2,"plugin":"9.0.0","routes":[]}')], 2, /m\.json is manifest format 2 \(@revalidate\/plugin 9\.0\.0\); this @revalidate\/plugin \(0\.1\.0\) reads format 1: rebuild the app/)
    await fails(({ file }) => ['http://x', '--manifest', file('m.json', '{"version":1,"environment":"ssr","routes":[{"route":"posts"}]}')], 2, /m\.json is damaged: routes\[0\]\.route is not a path starting with "\/"/)
    await fails(({ file }) => ['http://x', '--manifest', file('m.json', '<html>')], 2, /m\.json is not JSON/)
    const empty = buildFolder([])
    try {
      const run = await runWarm(['http://x'], `${empty.root}/dist/server`)
      expect(run.stderr).toMatch(/^revalidate warm: no manifest of cached routes found under dist\/, build\/, \.next\/ .* or pass --manifest <path>\.\n$/)
      expect(run.code).toBe(2)
    } finally {
      empty.remove()
    }
  })

  it('a malformed sitemap, a sitemap that cannot be fetched, bad URL lists and modules', async () => {
    const port = await freePort()
    await fails(({ file }) => ['http://x', '--sitemap', file('s.xml', '<!DOCTYPE html><html><body>Not found</body></html>')], 2, /s\.xml is not a sitemap: expected <urlset> or <sitemapindex>, found <html>\./)
    await fails(({ file }) => ['http://x', '--sitemap', file('s.xml', '<urlset>\n<url><loc>https://a/x</loc></url>\n<url><loc>https://a/y</url>\n</urlset>')], 2, /s\.xml:3: <loc> has no closing <\/loc>\./)
    await fails(({ file }) => ['http://x', '--sitemap', file('s.xml', '<urlset>\n  <url><loc>https://a/x</loc></url>')], 2, /s\.xml ends before <\/urlset>/)
    await fails(({ file }) => ['http://x', '--sitemap', file('s.xml', '<urlset>\n\n<url><loc>posts/a</loc></url></urlset>')], 2, /s\.xml:3: <loc> "posts\/a" is not an absolute URL\./)
    await fails(({ file }) => ['http://x', '--sitemap', file('s.xml', '<urlset><url><loc>https://a/?a=1&b=2</loc></url></urlset>')], 2, /s\.xml:1: a bare "&" in <loc>; XML writes it &amp;\./)
    await fails(({ file }) => ['http://x', '--sitemap', file('s.xml', '')], 2, /the sitemap .*s\.xml is empty\./)
    await fails(() => ['http://x', '--sitemap', `http://127.0.0.1:${port}/sitemap.xml`], 2, /cannot read the sitemap http:\/\/127\.0\.0\.1:\d+\/sitemap\.xml: connect ECONNREFUSED/)
    await fails(({ file }) => ['http://x', '--urls', file('u.txt', '/a\nposts/b\n')], 2, /u\.txt:2: "posts\/b" is neither a URL nor a path starting with "\/"\./)
    await fails(({ root }) => ['http://x', '--urls', `${root}/none.txt`], 2, /--urls .*none\.txt: no such file\./)
    await fails(({ file }) => ['http://x', '--urls-module', file('m.mjs', 'export const x = 1\n')], 2, /must export a function as its default export/)
    await fails(({ file }) => ['http://x', '--urls-module', file('m.mjs', 'export default () => { throw new Error("the CMS is down") }\n')], 2, /m\.mjs: its function threw: the CMS is down\n$/)
    await fails(({ file }) => ['http://x', '--urls-module', file('m.mjs', 'export default () => "/a"\n')], 2, /its function must return a list of URLs \(strings or URL objects\), got "\/a"\./)
    await fails(({ file }) => ['http://x', '--urls-module', file('m.mjs', 'export default () => [42]\n')], 2, /item 0 of the list, 42, is neither a URL nor a path/)
    await fails(({ file }) => ['http://x', '--urls-module', file('m.mjs', 'export default (\n')], 2, /m\.mjs cannot be loaded: /)
  })
})
