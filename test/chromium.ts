// Debian's Chromium driven by playwright-core (never a downloaded browser). Outside CI a missing
// Chromium skips the browser tests with a loud warning; under CI=true it fails them.
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function chromiumIsAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true
  if (process.env.CI === 'true') throw new Error(`CI=true but there is no Chromium at ${CHROMIUM}: .ci/run must apt-get install chromium`)
  console.warn(`\n!!! SKIPPING the browser tests: no Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium !!!\n`)
  return false
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}
