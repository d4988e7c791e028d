// The documented pragma form is one the user's own toolchain accepts: `react-router typegen && tsc`
// over this app, whose loaders carry `// Pragma:` lines, reports nothing; the same page with the
// `#` form is what tsc rejects (TS1127), which is why the docs lead with `//`.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageBin } from '../../../test/processes.js'

const root = join(import.meta.dirname, '..')

/**
 * `react-router typegen && tsc` over a copy of the app beside it (so its relative imports and the
 * workspace's node_modules resolve alike), with its post page as `edit` makes it: typegen writes
 * into the app, whose build other tests run.
 */
function typecheckCopy(edit: (page: string) => string): { status: number | null; output: string } {
  const copy = mkdtempSync(join(root, '..', '.typecheck-react-router-'))
  try {
    for (const entry of ['app', 'react-router.config.ts', 'tsconfig.json']) cpSync(join(root, entry), join(copy, entry), { recursive: true })
    const page = join(copy, 'app/routes/post.tsx')
    writeFileSync(page, edit(readFileSync(page, 'utf8')))
    return typecheck(copy)
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
}

function typecheck(dir: string): { status: number | null; output: string } {
  const typegen = spawnSync(process.execPath, [packageBin('@react-router/dev', 'react-router'), 'typegen'], { cwd: dir, encoding: 'utf8' })
  if (typegen.status !== 0) return { status: typegen.status, output: `react-router typegen failed:\n${typegen.stdout}${typegen.stderr}` }
  const tsc = spawnSync(process.execPath, [packageBin('typescript', 'tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' })
  return { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}` }
}

describe('React Router 8: the pragma as TypeScript sees it', () => {
  it('react-router typegen && tsc pass over the app, whose loaders carry `// Pragma:`', () => {
    expect(readFileSync(join(root, 'app/routes/post.tsx'), 'utf8')).toMatch(/^\/\/ Pragma: revalidate/)
    const checked = typecheckCopy((page) => page)
    expect(checked.output).toBe('')
    expect(checked.status).toBe(0)
  }, 120_000)

  it('the `#` form of the same page is a TypeScript error, as the docs say', () => {
    const checked = typecheckCopy((page) => page.replace(/^\/\/ Pragma:/, '# Pragma:'))
    expect(checked.status).not.toBe(0)
    expect(checked.output).toMatch(/app\/routes\/post\.tsx\(1,1\): error TS1127: Invalid character\./)
  }, 120_000)
})
