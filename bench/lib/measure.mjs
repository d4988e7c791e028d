// Helpers shared by the benchmarks: medians and spreads, tables, and targets judged on the
// unrounded figure.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** min, median and max of `values`. */
export function spreadOf(values) {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) }
}

/**
 * Nanoseconds per call of `call` (awaited one after another), one figure per round of `calls`
 * calls: for figures measured in a child process, where tinybench's peers are not at hand.
 */
export async function nsPerCallRounds(call, { calls = 200_000, rounds = 7 } = {}) {
  for (let i = 0; i < calls / 4; i++) await call(i) // warm-up: let the JIT settle
  const results = []
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) await call(i)
    results.push(Number(process.hrtime.bigint() - start) / calls)
  }
  return results
}

export const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : String(value))

/** `min / median / max` of a spread, each with `digits` decimals. */
export const spreadText = ({ min, median: middle, max }, digits = 1) => `${fixed(min, digits)} / ${fixed(middle, digits)} / ${fixed(max, digits)}`

export function table(headers, rows) {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n')
}

/**
 * `value` with `digits` decimals, or more where the rounded figure would land on the other side
 * of `limit` than the figure itself: a verdict never rests on rounding (1.1004 is shown as
 * 1.1004 against a limit of 1.10, not as a "1.10" that seems to meet it).
 */
export function shown(value, limit, digits = 2) {
  if (!Number.isFinite(value)) return String(value)
  // A small figure keeps two significant digits (0.00071, not 0.00).
  const start = value !== 0 && Math.abs(value) < 1 ? Math.max(digits, 1 - Math.floor(Math.log10(Math.abs(value)))) : digits
  for (let places = start; places < start + 6; places++) {
    const rounded = Number(value.toFixed(places))
    if (Math.sign(rounded - limit) === Math.sign(value - limit)) return value.toFixed(places)
  }
  return String(value)
}

/**
 * A target: what is measured (`figure`), the rule (`target`), this run's figure (`measured`),
 * whether it was met and, when not, by how much it was missed and why (`gap`).
 */
export function target(figure, rule, measured, met, gap) {
  return { figure, target: rule, measured, met, gap: met ? undefined : gap }
}

/** How far `value` is from `limit`: in percentage points for a percentage, else as a percentage of the limit. */
function distance(value, limit, unit) {
  const points = Math.abs(value - limit)
  if (unit === '%') return `${fixed(points, points < 0.1 ? 2 : 1)} percentage points`
  const percent = (points / limit) * 100
  return `${fixed(percent, percent < 1 ? 2 : 1)}%`
}

/** A figure (a ratio unless `unit` says otherwise) that must be at most `limit`. */
export function atMost(figure, value, limit, { unit = '×', why } = {}) {
  const gap = `missed by ${distance(value, limit, unit)}${why ? `: ${why}` : ''}`
  return target(figure, `≤ ${limit}${unit}`, `${shown(value, limit, unit === '%' ? 1 : 2)}${unit}`, value <= limit, gap)
}

/** A figure that must be at least `limit`. */
export function atLeast(figure, value, limit, { unit = '×', why } = {}) {
  const gap = `missed by ${distance(value, limit, unit)}${why ? `: ${why}` : ''}`
  return target(figure, `≥ ${limit}${unit}`, `${shown(value, limit, unit === '%' ? 1 : 2)}${unit}`, value >= limit, gap)
}

/** For sections that judge a target themselves. */
export function verdict(ok) {
  return ok ? 'met' : '**not met**'
}

/** The line under a section's tables: each of its targets with this run's verdict. */
export function targetLines(targets) {
  return targets.map((t) => `- Target, ${t.figure}: ${t.target}; this run ${t.measured}: ${t.met ? 'met' : `**not met**, ${t.gap}`}.`).join('\n')
}
