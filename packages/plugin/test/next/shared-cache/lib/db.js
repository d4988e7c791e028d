// The app's "database": one JSON file every instance reads (DB_FILE), and a log of every call of a
// cached function (CALLS_FILE), so the test counts renders across processes.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'

export function readTitle() {
  return JSON.parse(readFileSync(process.env.DB_FILE, 'utf8')).title
}

export function writeTitle(title) {
  writeFileSync(process.env.DB_FILE, JSON.stringify({ title }))
}

export function recordCall(name) {
  appendFileSync(process.env.CALLS_FILE, `${name}\n`)
}
