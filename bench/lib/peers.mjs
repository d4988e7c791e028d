// Micro-benchmarks on tinybench: peers measured in one process, interleaved, each figure with its
// spread. Used by every benchmark that times a single call (hot path, transform, source edits).
import { Bench } from 'tinybench'
import { median } from './measure.mjs'

/**
 * Measures `tasks` side by side: `rounds` rounds, each giving every task `time` ms of tinybench,
 * in an order rotated by one each round, so no task always runs first, or always right after
 * the same peer, and a slow spell of a shared machine lands on all of them.
 *
 * A sample is the mean time per call of one batch of `batch` calls made one after another (each
 * awaited when the task is async): a single awaited cache hit is shorter than what the timer can
 * resolve, so tinybench records the batch mean in its place (`overriddenDuration`).
 *
 * @param {Array<{ name: string, call: (i: number) => unknown, async?: boolean, batch?: number }>} tasks
 *   `batch` per task overrides the common one, for a task much faster than its peers.
 * @returns {Promise<Array<{ name: string, samples: number[], min: number, median: number, max: number, roundMedians: number[] }>>}
 *   per task, in the order given: every sample of every round in ns per call, their min, median
 *   and max, and the median of each round (for ratios taken round by round).
 */
export async function measurePeers(tasks, { rounds = 12, time = 150, batch = 1 } = {}) {
  const loops = tasks.map((task) => batchLoop(task.call, task.batch ?? batch, task.async ?? false))
  const results = tasks.map((task) => ({ name: task.name, samples: [], roundMedians: [] }))
  for (let round = 0; round < rounds; round++) {
    // A full warm-up in the first round; later rounds only wake the task up again.
    const warmupTime = round === 0 ? 250 : 10
    const bench = new Bench({ time, iterations: 10, warmupTime, warmupIterations: 5, retainSamples: true, throws: true })
    const order = tasks.map((_, index) => (index + round) % tasks.length)
    for (const index of order) bench.add(tasks[index].name, loops[index], { async: tasks[index].async ?? false })
    await bench.run()
    for (const index of order) {
      const samples = bench.getTask(tasks[index].name).result.latency.samples.map((ms) => ms * 1e6)
      for (const sample of samples) results[index].samples.push(sample)
      results[index].roundMedians.push(median(samples))
    }
  }
  return results.map((result) => {
    const sorted = [...result.samples].sort((a, b) => a - b)
    return { ...result, min: sorted[0], median: median(sorted), max: sorted[sorted.length - 1] }
  })
}

/**
 * `a` over `b`, round by round (the ratio of the two medians of one round, measured within a
 * second or two of each other): the median of those ratios, and the lowest and highest. A burst
 * of load from another process that lands on one task's turn moves one round's ratio, not the
 * figure.
 */
export function ratioOf(a, b) {
  const perRound = a.roundMedians.map((value, round) => value / b.roundMedians[round])
  return { value: median(perRound), low: Math.min(...perRound), high: Math.max(...perRound) }
}

/**
 * A loop made for one task alone. One loop shared by every peer would see all their functions at
 * one call site, and V8 would optimise that call for none of them; `new Function` gives each task
 * its own, as if each benchmark had been written out by hand.
 */
function batchLoop(call, batch, isAsync) {
  const body = `
    return ${isAsync ? 'async ' : ''}function batch() {
      const start = performance.now()
      for (let i = 0; i < ${batch}; i++) ${isAsync ? 'await ' : ''}call(i)
      const ms = performance.now() - start
      return { overriddenDuration: ms / ${batch}, overriddenIterationCost: ms }
    }`
  return new Function('call', body)(call)
}
