// Timing helpers shared by the benchmarks: medians of rounds, in one process, side by side.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Nanoseconds per call of `call` (awaited one after another): the median of `rounds` rounds. */
export async function nsPerCall(call, { calls = 200_000, rounds = 7 } = {}) {
  for (let i = 0; i < calls / 4; i++) await call(i) // warm-up: let the JIT settle
  const results = []
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) await call(i)
    results.push(Number(process.hrtime.bigint() - start) / calls)
  }
  return median(results)
}

/** Milliseconds per run of `work`: the median of `rounds` runs after one warm-up. */
export async function msPerRun(work, { rounds = 9 } = {}) {
  await work()
  const results = []
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint()
    await work()
    results.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return median(results)
}

export const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : String(value))

export function table(headers, rows) {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n')
}

export function verdict(ok) {
  return ok ? 'met' : '**not met**'
}
