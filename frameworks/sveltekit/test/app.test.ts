// SvelteKit 3: `vite build` with adapter-node, served by `node build`.
import { join } from 'node:path'
import { unflatten } from 'devalue'
import { packageBin } from '../../../test/processes.js'
import { describeClientNavigation, describeContract, useApp, type FrameworkApp } from '../../test/contract.js'

const root = join(import.meta.dirname, '..')

const app: FrameworkApp = {
  name: 'SvelteKit 3',
  root,
  build: [packageBin('vite'), 'build'],
  serve: () => ({ args: ['build'] }),
  // Client navigations fetch `<path>/__data.json`: one devalue-encoded node per load, the page's last.
  dataRequest: (path) => `${path}/__data.json`,
  titleIn: (body) => (body.startsWith('{') ? pageDataOf(body)?.post?.title : /Post ([^<]+)<\/h2>/.exec(body)?.[1]),
}

function pageDataOf(body: string): { post?: { title: string } } | undefined {
  const { nodes } = JSON.parse(body) as { nodes: Array<{ data?: unknown[] } | null> }
  const page = nodes.at(-1)?.data
  return page ? (unflatten(page) as { post?: { title: string } }) : undefined
}

const running = useApp(app)
describeContract(app, running)
describeClientNavigation(app, running)
