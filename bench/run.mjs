// `npm run bench`: every benchmark, ours beside the named peers in one run, written to RESULTS.md,
// and the performance figures of docs/performance.md made from it. `node bench/run.mjs <name>...` runs the
// sections whose names contain one of the words and prints them, leaving RESULTS.md to whole runs.
import { execSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { createRequire } from 'node:module'
import { table } from './lib/measure.mjs'
import { PAGE, updatePage } from './performance-figures.ts'

const require = createRequire(import.meta.url)
const version = (name) => {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version
  } catch {
    return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version
  }
}

const BENCHMARKS = [
  ['hot path', './hot-path.mjs'],
  ['stampede', './stampede.mjs'],
  ['transform', './transform.mjs'],
  ['vite build', './vite-build.mjs'],
  ['source edits', './edits.mjs'],
  ['scope resolver', './scope-resolver.mjs'],
  ['serving', './serving.mjs'],
  ['memory', './memory.mjs'],
  ['many instances', './redis.mjs'],
  ['redis tags', './redis-tags.mjs'],
  ['redis cluster', './redis-cluster.mjs'],
  ['cloudflare coordinator', './cloudflare-coordinator.mjs'],
  ['cloudflare hit', './cloudflare-hit.mjs'],
  ['astro cache provider', './astro-cache.mjs'],
  ['next cache', './next-cache.mjs'],
  ['cached function', './cached-function.mjs'],
]

/**
 * A section's targets as rows of the summary: sections give `target()` records; one that gives
 * `{ name: met }` (cloudflare-coordinator.mjs) has its rule and figure in its own text.
 */
function targetsOf(section, targets) {
  if (Array.isArray(targets)) return targets
  return Object.entries(targets).map(([name, met]) => ({ figure: `${section}: ${name}`, target: `see "${section}" below`, measured: `see "${section}" below`, met, gap: 'see the section' }))
}

const only = process.argv.slice(2)
const sections = []
const targets = []
const started = Date.now()
for (const [name, path] of BENCHMARKS) {
  if (only.length && !only.some((word) => name.includes(word))) continue
  const sectionStarted = Date.now()
  process.stdout.write(`${name}… `)
  const { run } = await import(path)
  const result = await run()
  console.log(`${((Date.now() - sectionStarted) / 1000).toFixed(1)} s`)
  sections.push(result.markdown)
  targets.push(...targetsOf(name, result.targets))
}

const redisVersion = (() => {
  try {
    return execSync('redis-server --version', { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? '?'
  } catch {
    return 'not found'
  }
})()
const missed = targets.filter((t) => !t.met)
const summary = [
  '## Targets',
  '',
  missed.length === 0 ? 'Every target was met in this run.' : `${missed.length} of ${targets.length} targets were not met in this run; each says by how much and why, here and in its section.`,
  '',
  table(['figure', 'target', 'this run', 'verdict'], targets.map((t) => [t.figure, t.target, t.measured, t.met ? 'met' : `**not met**: ${t.gap}`])),
].join('\n')
const header = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} in ${Math.round((Date.now() - started) / 1000)} s. See [README.md](README.md) for what each one measures and why.`,
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node.js ${process.version}, Redis ${redisVersion}.`,
  `Versions: @revalidate/runtime ${version('@revalidate/runtime')}, lru-cache ${version('lru-cache')}, @epic-web/cachified ${version('@epic-web/cachified')}, vite ${version('vite')}, @babel/parser ${version('@babel/parser')}, magic-string ${version('magic-string')}, tinybench ${version('tinybench')}, autocannon ${version('autocannon')}, redis (node-redis) ${version('redis')}, miniflare ${version('miniflare')}, astro ${version('astro')}.`,
  '',
].join('\n')
const verdict = missed.length ? `${missed.length} of ${targets.length} targets not met: ${missed.map((t) => t.figure).join('; ')}` : 'every target met'
if (only.length) {
  console.log(`\n${summary}\n\n${sections.join('\n\n')}\n\n${verdict}`)
} else {
  const results = `${header}\n${summary}\n\n${sections.join('\n\n')}\n`
  writeFileSync(new URL('./RESULTS.md', import.meta.url), results)
  writeFileSync(PAGE, updatePage(readFileSync(PAGE, 'utf8'), results))
  console.log(`bench/RESULTS.md and the performance figures of docs/performance.md written; ${verdict}`)
}
