// Astro: `astro build` with @astrojs/node (standalone), served by the entry it writes.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, it } from 'vitest'
import { packageBin } from '../../../test/processes.js'
import { describeContract, useApp, type FrameworkApp } from '../../test/contract.js'

const root = join(import.meta.dirname, '..')

const app: FrameworkApp = {
  name: 'Astro',
  root,
  build: [packageBin('astro'), 'build'],
  serve: () => ({ args: ['dist/server/entry.mjs'], env: { ASTRO_TELEMETRY_DISABLED: '1' } }),
  titleIn: (body) => /Post (?:<!-- -->)?([^<]+)<\/h2>/.exec(body)?.[1],
  // Astro does not route files and folders whose names start with `_`.
  api: '/test-api',
}

const running = useApp(app)
describeContract(app, running)

describe('Astro: what the build prints', () => {
  it('lists a layout with the pragma as the component it is, not as a route', () => {
    expect(running.buildOutput).toMatch(/\n\s+src\/layouts\/Posts\.astro\s+60s\s+node \(a component: cached for each page that renders it\)\n/)
    expect(running.buildOutput).not.toContain('/src/layouts/Posts ')
  })

  it('a page’s error shows its code frame and one location, at the column the frame points to', () => {
    // test/broken: a page whose cached frontmatter reads Astro.cookies.
    const build = spawnSync(process.execPath, [packageBin('astro'), 'build'], {
      cwd: join(root, 'test/broken'),
      encoding: 'utf8',
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
      timeout: 240_000,
    })
    const output = stripVTControlCharacters(`${build.stdout}\n${build.stderr}`)
    expect(build.status, output).not.toBe(0)
    expect(output).toContain("[RV201] `Astro.cookies` reads the visitor's cookies, but a cached page's data is shared with every visitor")
    expect(output).toContain('See: node_modules/@revalidate/plugin/docs/diagnostics.md#rv201')
    expect(output).toMatch(/> 4 \| const reader = Astro\.cookies\.get\('reader'\)\?\.value\n\s+\| {16}\^{13}/)
    expect(output.match(/index\.astro:\d+:\d+/g)).toEqual(['index.astro:4:16'])
    expect(output).not.toContain('Stack trace:')
  }, 240_000)
})
