// `npm run bench`: every benchmark, ours beside the named peers in one run, written to RESULTS.md.
import { execSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { createRequire } from 'node:module'

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
  ['serving', './serving.mjs'],
  ['memory', './memory.mjs'],
  ['many instances', './redis.mjs'],
  ['cloudflare coordinator', './cloudflare-coordinator.mjs'],
]

const only = process.argv.slice(2)
const sections = []
const missed = []
for (const [name, path] of BENCHMARKS) {
  if (only.length && !only.some((word) => name.includes(word))) continue
  const started = Date.now()
  process.stdout.write(`${name}… `)
  const { run } = await import(path)
  const result = await run()
  console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`)
  sections.push(result.markdown)
  for (const [target, met] of Object.entries(result.targets)) if (!met) missed.push(`${name}: ${target}`)
}

const redisVersion = (() => {
  try {
    return execSync('redis-server --version', { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? '?'
  } catch {
    return 'not found'
  }
})()
const header = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. See [README.md](README.md) for what each one measures and why.`,
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node.js ${process.version}, Redis ${redisVersion}.`,
  `Versions: @revalidate/runtime ${version('@revalidate/runtime')}, lru-cache ${version('lru-cache')}, @epic-web/cachified ${version('@epic-web/cachified')}, vite ${version('vite')}, @babel/parser ${version('@babel/parser')}, autocannon ${version('autocannon')}, redis (node-redis) ${version('redis')}, miniflare ${version('miniflare')}.`,
  '',
  missed.length === 0 ? 'Every target was met in this run.' : `Targets not met in this run: ${missed.join('; ')}.`,
  '',
].join('\n')
const report = `${header}\n${sections.join('\n\n')}\n`
const verdict = missed.length ? `not met: ${missed.join('; ')}` : 'every target met'
if (only.length) {
  // A partial run is printed; RESULTS.md always holds a whole run.
  console.log(`\n${sections.join('\n\n')}\n\n${verdict}`)
} else {
  writeFileSync(new URL('./RESULTS.md', import.meta.url), report)
  console.log(`bench/RESULTS.md written; ${verdict}`)
}
