// The README's two commands on a machine whose Node is older than the repository needs:
// scripts/with-node.mjs runs them under Node 22 (brought by scripts/use-node.sh), or stops at once
// with one line. Run here under a real old Node: the machine's own when it is older, else Node 20
// from the registry (as use-node.sh brings any version).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const withNode = join(root, 'scripts/with-node.mjs')
const OLD_NODE_VERSION = '20.19.5'

function versionOf(node: string): string {
  return execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim()
}

/** A Node older than 22.13: one on PATH outside this checkout's .node/, or Node 20 from the registry. */
function findOldNode(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const node = join(dir, 'node')
    if (dir.includes(`${root}/.node`) || !existsSync(node)) continue
    const [major, minor] = versionOf(node).slice(1).split('.').map(Number)
    if (major! < 22 || (major === 22 && minor! < 13)) return node
  }
  execFileSync('bash', ['-c', `. scripts/use-node.sh ${OLD_NODE_VERSION}`], { cwd: root, stdio: 'ignore' })
  return join(root, '.node', OLD_NODE_VERSION, 'bin/node')
}

describe('the two commands under an old Node (scripts/with-node.mjs)', () => {
  let oldNode: string
  let oldPath: string
  beforeAll(() => {
    oldNode = findOldNode()
    // Only the old Node (and the system's tools) on PATH, as on a machine that never saw this repo.
    oldPath = [dirname(oldNode), '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter)
  }, 120_000)

  it('runs the command under Node 22 and passes its exit code on', () => {
    expect(versionOf(oldNode)).toMatch(/^v(1\d|20|21|22\.([0-9]|1[0-2]))\./)
    const env = { ...process.env, PATH: oldPath }
    const ran = spawnSync(oldNode, [withNode, 'node', '-p', 'process.version'], { cwd: root, env, encoding: 'utf8' })
    expect(ran.status).toBe(0)
    expect(ran.stdout.trim()).toMatch(/^v22\./)
    const failed = spawnSync(oldNode, [withNode, 'node', '-e', 'process.exit(7)'], { cwd: root, env, encoding: 'utf8' })
    expect(failed.status).toBe(7)
  }, 120_000)

  it('stops before doing anything, with one line and no stack, when Node 22 cannot be had', () => {
    const env = { ...process.env, PATH: oldPath, REVALIDATE_NODE_VERSION: '22.99.0', npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' }
    const ran = spawnSync(oldNode, [withNode, 'node', '-e', 'require("fs").writeFileSync("should-not-exist", "")'], { cwd: root, env, encoding: 'utf8' })
    expect(ran.status).toBe(1)
    expect(existsSync(join(root, 'should-not-exist'))).toBe(false)
    const ours = ran.stderr.split('\n').filter((line) => line.startsWith('revalidate'))
    expect(ours).toEqual([expect.stringMatching(/^revalidate needs Node\.js 22\.13 or newer; found v\d+\.\d+\.\d+ .*nvm install 22/)])
    expect(ran.stderr).not.toMatch(/^\s+at /m)
  }, 120_000)

  it('is what the root scripts a user runs go through', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    for (const name of ['start', 'start:astro', 'test', 'dev', 'bench']) expect(scripts[name]).toMatch(/^node scripts\/with-node\.mjs npm run /)
  })
})
