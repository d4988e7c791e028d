// React Router 8 in framework mode: `react-router build`, served by `react-router-serve`.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageBin } from '../../../test/processes.js'
import { describeCachedFunction, describeClientNavigation, describeContract, useApp, type FrameworkApp } from '../../test/contract.js'

const root = join(import.meta.dirname, '..')

const app: FrameworkApp = {
  name: 'React Router 8',
  root,
  build: [packageBin('@react-router/dev', 'react-router'), 'build'],
  serve: () => ({ args: [packageBin('@react-router/serve', 'react-router-serve'), './build/server/index.js'] }),
  // Client navigations fetch `<path>.data` (turbo-stream); the title sits in it as a string.
  dataRequest: (path) => `${path}.data`,
  titleIn: (body) => /Post (?:<!-- -->)?([^<]+)<\/h2>/.exec(body)?.[1] ?? /"title","([^"]+)"/.exec(body)?.[1],
}

const running = useApp(app)
describeContract(app, running)
describeClientNavigation(app, running)
describeCachedFunction(app, running)

describe('React Router 8: what the build prints', () => {
  it('lists the loaders as cached on the server only: the client build keeps no server-only loader', () => {
    expect(running.buildOutput).toMatch(/\[revalidate\] 3 cached page\(s\) in ssr:/)
    expect(running.buildOutput).not.toMatch(/cached page\(s\) in client/)
  })

  it('lists the function cached with a pragma in a module of the app', () => {
    expect(running.buildOutput).toMatch(/\[revalidate\] 1 cached function\(s\) in ssr:\n {2}app\/cached-posts\.server\.ts#getSharedPost +300s +node/)
  })
})
