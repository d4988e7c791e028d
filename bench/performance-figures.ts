// The performance figures of docs/performance.md, made from bench/RESULTS.md so that they are never
// typed by hand: every figure the page gives is a cell (or the median of a "min / median / max"
// cell) of a table in RESULTS.md, copied as it is written there.
//
//   node bench/performance-figures.ts           rewrites the figures in docs/performance.md
//   node bench/performance-figures.ts --check   exits 1 when the page does not say what RESULTS.md says
//
// `npm run bench` rewrites them after each whole run; test/performance-figures.test.ts checks them.
import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

export const START_MARKER = '<!-- performance figures: made by `node bench/performance-figures.ts` from bench/RESULTS.md; edit that script, not this text -->'
export const END_MARKER = '<!-- end of performance figures -->'

interface Table {
  /** The heading the table sits under. */
  heading: string
  headers: string[]
  rows: string[][]
}

const cellsOf = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim())

/** Every table of a Markdown text, with the heading it sits under. */
export function tablesOf(markdown: string): Table[] {
  const tables: Table[] = []
  let heading = ''
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '')
    if (!line.startsWith('|') || !/^\|[-| ]+\|$/.test(lines[i + 1] ?? '')) continue
    const table: Table = { heading, headers: cellsOf(line), rows: [] }
    for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) table.rows.push(cellsOf(lines[i]!))
    tables.push(table)
  }
  return tables
}

/** Reads cells of RESULTS.md by heading, row and column; whatever is missing is an error that names it. */
class Results {
  readonly #tables: Table[]
  readonly #text: string

  constructor(text: string) {
    this.#text = text
    this.#tables = tablesOf(text)
  }

  /** The cell of the row whose first cell starts with `row`, in the column whose header starts with `column`, under a heading starting with `heading`. */
  cell(heading: string, row: string, column: string): string {
    for (const table of this.#tables) {
      if (!table.heading.startsWith(heading)) continue
      const at = table.headers.findIndex((header) => header.startsWith(column))
      const found = table.rows.find((cells) => cells[0]!.startsWith(row))
      if (at !== -1 && found !== undefined) return found[at]!
    }
    throw new Error(
      `bench/RESULTS.md has no table under a heading starting "${heading}" with a row starting "${row}" and a column starting "${column}". docs/performance.md quotes it: run \`npm run bench\`, or change bench/performance-figures.ts with the table.`,
    )
  }

  /** The median of a "min / median / max" cell. */
  median(heading: string, row: string, column: string): string {
    const cell = this.cell(heading, row, column)
    const parts = cell.split(' / ')
    if (parts.length !== 3) throw new Error(`bench/RESULTS.md: the cell "${cell}" (${heading}, ${row}) is not "min / median / max"`)
    return parts[1]!
  }

  /** The first match of `pattern` (its first group) in RESULTS.md's text. */
  match(pattern: RegExp, what: string): string {
    const found = pattern.exec(this.#text)
    if (found === null) throw new Error(`bench/RESULTS.md does not say ${what} (${pattern})`)
    return found[1]!
  }

  targets(): string[][] {
    const table = this.#tables.find((candidate) => candidate.heading === 'Targets')
    if (table === undefined) throw new Error('bench/RESULTS.md has no "Targets" table: run `npm run bench`')
    return table.rows
  }
}

/** A target's verdict, as short as a table cell may be: "met", or "not met" with by how much. */
function shortVerdict(verdict: string): string {
  if (verdict === 'met') return 'met'
  const by = /missed by ([^:]+)/.exec(verdict)
  return by === null ? '**not met**' : `**not met**: missed by ${by[1]}`
}

/** The performance figures (between the markers) as RESULTS.md gives them. */
export function performanceFigures(resultsText: string): string {
  const r = new Results(resultsText)
  const hot = '1. Hot path'
  const ns = (row: string) => r.median(hot, row, 'ns per call')
  const floorX = (row: string) => r.cell(hot, row, 'x floor')
  const transform = '3a. Transform'
  const edits = '3c. Edits'
  const serving = '4. Serving'
  const memory = '5. Memory'
  const redis = '6. Many instances'
  const bigTag = '6b. Invalidating'
  const cloudflare = '7b. Cloudflare'
  return [
    `The last run of \`npm run bench\`, ${r.match(/on (\d{4}-\d\d-\d\d)/, 'the date of its run')} on ${r.match(/^Machine: (.+?)\.?$/m, 'the machine')}: ours beside named peers in one process and run, interleaved. Every figure below is copied from [bench/RESULTS.md](../bench/RESULTS.md), which has each with its spread (min / median / max) and method; [bench/README.md](../bench/README.md) says what each benchmark measures. A target not met says by how much there, and why.`,
    '',
    '| figure | target | last run | verdict |',
    '|---|---|---|---|',
    ...r.targets().map(([figure, target, measured, verdict]) => `| ${figure} | ${target} | ${measured} | ${shortVerdict(verdict!)} |`),
    '',
    `- **Hot path** (ns per awaited fresh hit, medians): an \`async\` Map lookup ${ns('async Map lookup')}, \`withRevalidate\` ${ns('**revalidate** `withRevalidate`')} (round by round ${floorX('**revalidate** `withRevalidate`')} times the floor: the median and range of the rounds' ratios), a compiled page's \`cachePage\` ${ns('**revalidate** compiled page')}, lru-cache \`fetch()\` ${ns('lru-cache')}, cachified over lru-cache ${ns('@epic-web/cachified')}.`,
    `- **Stampedes**: 10,000 concurrent callers make ${r.cell('2. Stampedes', '**revalidate**', 'cold key')} fetcher call on a cold key and ${r.cell('2. Stampedes', '**revalidate**', 'stale key')} on a stale one; the naive Map-based SWR function makes ${r.cell('2. Stampedes', 'naive', 'cold key')}.`,
    `- **Transform** of the bench page: ${r.median(transform, '**revalidate** `transform` (', 'µs per page')} µs against ${r.median(transform, '@babel/parser `parse`, the options', 'µs per page')} µs for its parse; a file without a pragma ${r.median(transform, '**revalidate** `transform` of the same page without', 'µs per page')} µs (never parsed). Our edit and source map writer takes ${r.median(edits, '**revalidate** `SourceEdits`', 'µs per page')} µs for the page's edits, magic-string ${r.median(edits, 'magic-string, `hires: true`', 'µs per page')} µs (\`hires: true\`) and ${r.median(edits, "magic-string, `hires: 'boundary'`", 'µs per page')} µs (\`'boundary'\`).`,
    `- **Serving** the example blog: ${r.cell(serving, '`/`: `# Pragma', 'requests/s')} requests/s for the pragma page, ${r.cell(serving, '`/about`', 'requests/s')} for a page without data.`,
    `- **Memory**: ${r.median(memory, 'heap per entry, beyond', '**revalidate**')} B per entry beyond the value (lru-cache: ${r.median(memory, 'heap per entry, beyond', 'lru-cache')} B); 1,000,000 keys through \`maxEntries: 10,000\` leave ${r.median(memory, 'heap growth after', '**revalidate**')} MB.`,
    `- **Redis**: a hit from the memory tier takes ${r.median(redis, 'Redis + memory tier', 'hit latency')} µs, a round trip ${r.median(redis, 'Redis only', 'hit latency')} µs. While a tag of 100,000 keys is invalidated, other clients' p99 is ${r.cell(bigTag, 'during', 'p99')} ms (${r.cell(bigTag, 'without', 'p99')} ms without).`,
    `- **Cloudflare** (workerd, Miniflare): a store hit takes ${r.median(cloudflare, '**revalidate** Cloudflare store, memory tier (', 'µs per read')} µs, a bare \`caches.default.match\` ${r.median(cloudflare, '`caches.default.match`', 'µs per read')} µs; one \`RevalidateCoordinator\` answered ${r.cell('7. Cloudflare', '`sync` with nothing new', 'calls/s')} syncs a second.`,
  ].join('\n')
}

/** The page that quotes the figures. */
export const PAGE = new URL('../docs/performance.md', import.meta.url)

/** `page` with its performance figures replaced by what `resultsText` says. */
export function updatePage(page: string, resultsText: string): string {
  const start = page.indexOf(START_MARKER)
  const end = page.indexOf(END_MARKER)
  if (start === -1 || end < start) throw new Error(`docs/performance.md has no performance figures between "${START_MARKER}" and "${END_MARKER}"`)
  return `${page.slice(0, start + START_MARKER.length)}\n${performanceFigures(resultsText)}\n${page.slice(end)}`
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const page = readFileSync(PAGE, 'utf8')
  const updated = updatePage(page, readFileSync(new URL('./RESULTS.md', import.meta.url), 'utf8'))
  if (process.argv.includes('--check')) {
    if (updated !== page) {
      console.error('docs/performance.md does not give the figures bench/RESULTS.md has: run `node bench/performance-figures.ts`')
      process.exit(1)
    }
  } else if (updated !== page) {
    writeFileSync(PAGE, updated)
    console.log('docs/performance.md: performance figures written from bench/RESULTS.md')
  }
}
