// Runs a command under Node.js 22.13 or newer, whatever Node runs `npm`:
//
//   node scripts/with-node.mjs npm run start:demo
//
// The root package's `start`, `test`, `dev` and `bench` scripts go through it, so the README's two
// commands work on a machine whose Node is older: there `scripts/use-node.sh` brings Node 22 from
// the npm registry into `.node/` (as `.ci/run` does) and the command runs under it. Where that is
// not possible (Windows, a platform with no registry build, no network), it stops before doing
// anything, with one line naming the version found, the version needed and what to do.
//
// Written for any Node a user may have (no syntax or API newer than Node 12).
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const NEEDED = [22, 13] // node:sqlite without a flag, for the example blog
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const command = process.argv.slice(2)

function isRecentEnough(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number)
  return major > NEEDED[0] || (major === NEEDED[0] && minor >= NEEDED[1])
}

function stop(found, reason) {
  console.error(
    `revalidate needs Node.js ${NEEDED.join('.')} or newer; found ${found}${reason}. ` +
      'Install Node.js 22 (for example `nvm install 22`), or on Linux and macOS run `. scripts/use-node.sh`, then run the command again.',
  )
  process.exit(1)
}

function exitLike(result) {
  if (result.error) stop(process.version, ` (could not run ${command[0]}: ${result.error.message})`)
  if (result.signal) process.kill(process.pid, result.signal)
  process.exit(result.status === null ? 1 : result.status)
}

if (command.length === 0) {
  console.error('usage: node scripts/with-node.mjs <command> [arguments...]')
  process.exit(2)
}

if (isRecentEnough(process.version)) {
  exitLike(spawnSync(command[0], command.slice(1), { stdio: 'inherit', cwd: process.cwd(), shell: process.platform === 'win32' }))
}

if (process.platform === 'win32') stop(process.version, ' (this script brings Node 22 by itself on Linux and macOS only)')

// use-node.sh brings Node 22 into .node/ and puts it first on PATH; its bin folder is all we need of it.
const brought = spawnSync('bash', ['-c', '. "$0/scripts/use-node.sh" >&2 && dirname "$(command -v node)"', root], {
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
})
if (brought.error) stop(process.version, ' (bash was not found to fetch Node 22)')
const binDir = brought.status === 0 ? brought.stdout.trim() : ''
const nodeVersion = binDir && spawnSync(join(binDir, 'node'), ['-p', 'process.version'], { encoding: 'utf8' }).stdout
if (!nodeVersion || !isRecentEnough(nodeVersion.trim())) stop(process.version, ' and could not fetch Node 22 from the npm registry (see the line above)')

const env = Object.assign({}, process.env, { PATH: `${binDir}:${process.env.PATH}`, npm_config_nodedir: dirname(binDir) })
exitLike(spawnSync(command[0], command.slice(1), { stdio: 'inherit', cwd: process.cwd(), env }))
