// `revalidate warm` against the built blog, as a deploy script runs it: the blog is built with its
// own build script (into a copy, so the other tests' dist/ stays as it is), started, and warmed
// with a sitemap of its posts; then every warmed page answers HIT. The bin is the package's own
// (its package.json `bin`), run as a process: plain lines in a pipe, a progress bar on a
// pseudo-terminal, one JSON document with --json.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packageBin } from '../../../test/processes.js'
import { BLOG_ROOT, startBlog, type BlogServer } from './blog-server.mjs'

const REPO = join(BLOG_ROOT, '../..')
const CLI = packageBin('@revalidate/plugin', 'revalidate')
const SCRIPT = '/usr/bin/script'
const BROKEN = '/posts/%E0%A4%A' // a broken escape: the blog answers 500
const MISSING = '/posts/no-such-post' // the blog answers 404

let copy: string
let blog: BlogServer
let slugs: string[]

/** A sitemap as a site publishes it: absolute URLs on its production host. */
function writeSitemap(name: string, paths: string[]): string {
  const file = join(copy, name)
  writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${paths.map((path) => `  <url><loc>https://blog.example${path}</loc></url>`).join('\n')}\n</urlset>\n`)
  return file
}

function warm(args: string[]) {
  const run = spawnSync(process.execPath, [CLI, 'warm', blog.url, ...args], { cwd: copy, encoding: 'utf8', timeout: 60_000 })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

async function cacheState(path: string) {
  const response = await fetch(`${blog.url}${path}`)
  await response.arrayBuffer()
  return response.headers.get('x-revalidate')
}

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'revalidate-blog-warm-'))
  for (const entry of ['src', 'index.html', 'server.js', 'vite.config.js', 'package.json']) cpSync(join(BLOG_ROOT, entry), join(copy, entry), { recursive: true })
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir')
  const build = spawnSync('npm', ['run', 'build'], { cwd: copy, encoding: 'utf8', timeout: 180_000 })
  if (build.status !== 0) throw new Error(`the blog's build failed:\n${build.stdout}\n${build.stderr}`)
  blog = await startBlog({ root: copy })
  slugs = ((await (await fetch(`${blog.url}/api/posts`)).json()) as Array<{ slug: string }>).map((post) => post.slug)
}, 240_000)
afterAll(async () => {
  await blog?.stop()
  if (copy) rmSync(copy, { recursive: true, force: true })
})

describe('revalidate warm on the built blog', () => {
  it('warms every cached page (the home page, each post of the sitemap), which then answers HIT; a failing route sets exit code 1', async () => {
    expect(slugs.length).toBeGreaterThan(3)
    const posts = slugs.map((slug) => `/posts/${slug}`)
    const sitemap = writeSitemap('sitemap.xml', ['/', '/about', ...posts, MISSING, BROKEN])
    const run = warm(['--sitemap', sitemap, '--retries', '1'])
    expect(run.code, run.stdout + run.stderr).toBe(1)
    expect(run.stderr).toBe('')
    const total = 1 + posts.length + 2
    expect(run.stdout).toContain(`revalidate warm: ${total} URLs on ${blog.url}/ in `)
    expect(run.stdout).toMatch(new RegExp(`warmed \\(MISS\\) +${1 + posts.length}\\n {2}already HIT +0\\n {2}STALE, refreshing +0\\n {2}no cache header +0\\n {2}failed +2\\n`))
    expect(run.stdout).toMatch(/\n {6}404 {2}\/posts\/no-such-post {2}\d+ ms\n/)
    expect(run.stdout).toMatch(/\n {6}500 {2}\/posts\/%E0%A4%A {2}[\d.]+ m?s, 2 attempts\n/)
    expect(run.stdout).toContain('not warmed: no URL given for the dynamic route /categories/[id]')
    expect(run.stdout).toContain('skipped 1 given URL of no cached route: https://blog.example/about')
    for (const path of ['/', ...posts]) expect(run.stdout).toMatch(new RegExp(`^MISS +200 {2}${path.replaceAll('/', '\\/')} {2}`, 'm'))

    for (const path of ['/', ...posts]) expect(await cacheState(path), path).toBe('HIT')
  })

  it('a second run finds everything HIT (its header skips no cache) and exits 0; --json prints one summary', async () => {
    const posts = slugs.map((slug) => `/posts/${slug}`)
    const run = warm(['--sitemap', writeSitemap('good.xml', posts), '--json'])
    expect(run.code, run.stderr).toBe(0)
    const summary = JSON.parse(run.stdout) as { ok: boolean; counts: Record<string, number>; results: Array<{ url: string; cache: string; status: number; route: string }>; manifests: string[] }
    expect(summary).toMatchObject({ ok: true, counts: { warmed: 0, hit: 1 + posts.length, stale: 0, uncached: 0, failed: 0 }, manifests: ['dist/server/.revalidate/manifest.json'] })
    expect(summary.results.map((result) => [new URL(result.url).pathname, result.route, result.status, result.cache])).toEqual([
      ['/', '/', 200, 'HIT'],
      ...posts.map((path) => [path, '/posts/[slug]', 200, 'HIT']),
    ])
  })
})

describe('revalidate warm on a terminal', () => {
  function scriptIsAvailable(): boolean {
    if (spawnSync(SCRIPT, ['--version']).status === 0) return true
    if (process.env.CI === 'true') throw new Error(`CI=true but there is no ${SCRIPT} (util-linux): the pseudo-terminal test needs it`)
    console.warn(`\n!!! SKIPPING the pseudo-terminal test: no ${SCRIPT}. Install it with: apt-get install -y util-linux !!!\n`)
    return false
  }

  /** Runs the command on a pseudo-terminal (`script` gives it one); what the terminal showed, and the exit code. */
  function onTerminal(args: string[]) {
    const command = [process.execPath, CLI, 'warm', blog.url, ...args].map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(' ')
    const run = spawnSync(SCRIPT, ['-qec', command, '/dev/null'], { cwd: copy, encoding: 'utf8', timeout: 60_000, env: { ...process.env, COLUMNS: '100' } })
    return { code: run.status, screen: run.stdout }
  }

  it.runIf(scriptIsAvailable())('draws a progress bar, prints failures above it and the summary below; --json prints JSON alone', () => {
    const posts = slugs.map((slug) => `/posts/${slug}`)
    const total = 1 + posts.length + 1
    const progress = onTerminal(['--sitemap', writeSitemap('tty.xml', [...posts, MISSING])])
    expect(progress.code).toBe(1)
    expect(progress.screen).toMatch(new RegExp(`\\r\\x1b\\[2K\\[░{30}\\] {1,2}0/${total} {2}MISS 0 · HIT 0 · FAIL 0`))
    expect(progress.screen).toMatch(/\r\x1b\[2KFAIL +404 {2}\/posts\/no-such-post {2}\d+ ms\r\n/)
    expect(progress.screen).toMatch(new RegExp(`\\r\\x1b\\[2K\\[█{30}\\] ${total}/${total} {2}MISS 0 · HIT ${total - 1} · FAIL 1`))
    expect(progress.screen).not.toMatch(/^HIT +200/m) // the bar stands for the lines of a pipe
    expect(progress.screen).toMatch(/revalidate warm: \d+ URLs on .*\r\n {2}warmed \(MISS\)/)

    const json = onTerminal(['--sitemap', writeSitemap('tty.xml', posts), '--json'])
    expect(json.code).toBe(0)
    expect(json.screen).not.toContain('\x1b')
    expect(JSON.parse(json.screen.replaceAll('\r\n', '\n'))).toMatchObject({ ok: true, counts: { hit: 1 + posts.length, failed: 0 } })
  })
})
