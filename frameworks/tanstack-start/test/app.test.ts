// TanStack Start: `vite build`, served by `vite preview` (Start's own production preview server).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageBin } from '../../../test/processes.js'
import { describeClientNavigation, describeContract, useApp, type FrameworkApp } from '../../test/contract.js'

const root = join(import.meta.dirname, '..')

const app: FrameworkApp = {
  name: 'TanStack Start',
  root,
  build: [packageBin('vite'), 'build'],
  serve: (port) => ({ args: [packageBin('vite'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'] }),
  titleIn: (body) => /Post (?:<!-- -->)?([^<]+)<\/h2>/.exec(body)?.[1],
}

const running = useApp(app)
describeContract(app, running)
describeClientNavigation(app, running)

// TanStack's route generator parses route files itself, before any plugin: a `# Pragma:` line
// would fail there with "Unexpected token", then the build with "Could not resolve './routeTree.gen'".
describe('TanStack Start: a `# Pragma:` route file', () => {
  it('stops the build at the line, naming the file and the `//` form', () => {
    const app = join(root, 'test/hash-pragma')
    const build = spawnSync(process.execPath, [packageBin('vite'), 'build'], { cwd: app, encoding: 'utf8', timeout: 240_000 })
    const output = `${build.stdout}\n${build.stderr}`
    expect(build.status, output).not.toBe(0)
    expect(output).toContain(`${join(app, 'src/routes/index.tsx')}:1:1: [RV110] TanStack Router's route generator parses route files before any plugin, and a \`# Pragma:\` line is not JavaScript`)
    expect(output).toContain('Fix: write it as a comment: `// Pragma: revalidate 60`.')
    expect(output).toMatch(/> 1 \| # Pragma: revalidate 60\n/)
    expect(output).not.toContain('routeTree.gen\' from') // the build stopped before the route tree was missed
  }, 240_000)
})
