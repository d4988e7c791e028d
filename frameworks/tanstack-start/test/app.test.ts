// TanStack Start: `vite build`, served by `vite preview` (Start's own production preview server).
import { join } from 'node:path'
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
