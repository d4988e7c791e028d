// Astro: `astro build` with @astrojs/node (standalone), served by the entry it writes.
import { join } from 'node:path'
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
