#!/usr/bin/env node
/**
 * The `revalidate` command of @revalidate/plugin (its package.json `bin`):
 *
 *   npx revalidate warm http://localhost:3000 --sitemap http://localhost:3000/sitemap.xml
 *
 * One command so far, `warm` (warm/run.ts); docs/warm-up.md describes it.
 */
import { warmCommand } from './warm/run.js'

const USAGE = `Usage: revalidate <command> [options]

Commands:
  warm <base-url>    request every cached route of the build, so the first visitors find the cache warm

revalidate <command> --help shows a command's options.
`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === 'warm') return warmCommand(rest, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE)
    return command === undefined ? 2 : 0
  }
  process.stderr.write(`revalidate: unknown command ${JSON.stringify(command)}; the commands are: warm (revalidate --help).\n`)
  return 2
}

// Output piped into a reader that stopped reading (`| head`): nothing more is wanted, no stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
    process.exit(process.exitCode ?? 0)
  })
}

process.exitCode = await main(process.argv.slice(2))
