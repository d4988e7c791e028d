// Where a function's time goes: a child process calls it in a loop under `node --cpu-prof`, and
// each sample is put in the phase of the nearest function on its stack that names one. Used by
// transform.mjs to split the transform into parse, checks, source map and the rest.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Profiles `calls` calls of the function a module exports as `exported` (after as many to warm up),
 * sampling every `interval` µs. `phases` maps a function name to its phase; samples under none
 * of them but under `root` are "the rest", the garbage collector's are "garbage collection", and
 * everything else (start-up, the loop itself) is left out.
 * @param {{ module: string, exported: string, root: string, phases: Record<string, string>, calls?: number, interval?: number }} options
 * @returns {{ phase: string, share: number }[]} each phase's share of the profiled time, largest first
 */
export function profilePhases({ module, exported, root, phases, calls = 3000, interval = 50 }) {
  const dir = mkdtempSync(join(tmpdir(), 'phases-'))
  try {
    const script = join(dir, 'run.mjs')
    const call = `(await import(${JSON.stringify(pathToFileURL(module).href)}))[${JSON.stringify(exported)}]`
    writeFileSync(script, `const call = ${call}\nfor (let i = 0; i < ${2 * calls}; i++) call()\n`)
    execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${interval}`, script], { stdio: 'ignore' })
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
    return sharesOf(JSON.parse(readFileSync(join(dir, file), 'utf8')), root, phases)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function sharesOf(profile, root, phases) {
  const parents = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node)
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const time = new Map()
  const phaseOf = (node) => {
    let phase
    for (let current = node; current !== undefined; current = parents.get(current.id)) {
      const name = current.callFrame.functionName
      if (name === '(garbage collector)') return 'garbage collection'
      phase ??= phases[name]
      if (name === root) return phase ?? 'the rest'
    }
    return undefined // outside the function profiled
  }
  profile.samples.forEach((id, index) => {
    const phase = phaseOf(byId.get(id))
    if (phase !== undefined) time.set(phase, (time.get(phase) ?? 0) + (profile.timeDeltas[index] ?? 0))
  })
  const total = [...time.values()].reduce((sum, value) => sum + value, 0)
  return [...time].map(([phase, value]) => ({ phase, share: value / total })).sort((a, b) => b.share - a.share)
}
