// The Diagnostics table of the README lists every error the compiler gives (each error fixture's
// message starts as one row says), and the plugin's own README, shipped in the package, carries
// the same table. The README's compiled example is what the compiler gives for its input.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { transform } from '../src/index.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const table = (readme: string) => /<!-- diagnostics:start -->[\s\S]*<!-- diagnostics:end -->/.exec(readFileSync(join(ROOT, readme), 'utf8'))?.[0]

/** Each quoted message in the table's first column, as a pattern: `…` stands for anything. */
function messagePatterns(markdown: string): RegExp[] {
  const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| error') && !line.startsWith('|---'))
  return rows.flatMap((row) => {
    const first = row.split(/ \| /)[0]!.slice(2)
    return [...first.matchAll(/``\s(.+?)\s``|`([^`]+)`/g)].map((match) => {
      const text = (match[1] ?? match[2])!
      return new RegExp(`^${text.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?')}`)
    })
  })
}

describe('README diagnostics', () => {
  const root = table('README.md')!

  it('the plugin README ships the same table', () => {
    expect(root).toBeDefined()
    expect(table('packages/plugin/README.md')).toBe(root)
  })

  it('has a row for the message of every error fixture', () => {
    const patterns = messagePatterns(root)
    // fixtures/<framework>/error-<case>/error.txt
    const suites = readdirSync(join(ROOT, 'fixtures'), { withFileTypes: true }).filter((entry) => entry.isDirectory())
    const fixtures = suites.flatMap((suite) => readdirSync(join(ROOT, 'fixtures', suite.name)).filter((name) => name.startsWith('error-')).map((name) => `${suite.name}/${name}`))
    expect(fixtures.length).toBeGreaterThan(40)
    for (const name of fixtures) {
      const message = readFileSync(join(ROOT, 'fixtures', name, 'error.txt'), 'utf8').split('\n')[0]!.replace(/^.*?:\d+:\d+: /, '')
      expect(patterns.some((pattern) => pattern.test(message)), `${name}: ${message}`).toBe(true)
    }
  })
})

describe('README compiled example', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const example = /### One page, each target\n\nInput \(`([^`]+)`\):\n\n```tsx\n([\s\S]*?)```\n\nnode [^\n]*:\n\n```tsx\n([\s\S]*?)```/.exec(readme)

  it('shows the node output the compiler gives for the input, runtime call and version included', () => {
    expect(example, 'the "One page, each target" section').not.toBeNull()
    const [, file, input, output] = example!
    expect(transform(input!, `/app/${file}`, { root: '/app', target: 'node' })?.code).toBe(output)
  })

  it('and the plugin README names the function that output calls', () => {
    const called = /import \{ (\w+) as __rv_\w+ \} from "@revalidate\/runtime\/node"/.exec(example![3]!)?.[1]
    expect(called).toBe('cachePage')
    const targets = /^Targets: [\s\S]*?\n\n/m.exec(readFileSync(join(ROOT, 'packages/plugin/README.md'), 'utf8'))?.[0]
    expect(targets).toMatch(new RegExp(`wrap the page data in a call of \`${called}\``))
  })
})
