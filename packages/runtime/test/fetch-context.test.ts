// Where no AsyncLocalStorage exists (browsers, workerd without nodejs_compat), a fetcher asking for
// its own key is seen in its synchronous part only. Node has one: this runs that path on purpose.
import { describe, expect, it } from 'vitest'
import { FetchFrames } from '../src/fetch-context.js'

describe('fetch frames without AsyncLocalStorage', () => {
  const owner = {}

  it('see a fetcher asking for its own key before its first await, and through nested fetchers', () => {
    const frames = new FetchFrames(null)
    const seen: boolean[] = []
    frames.run(owner, 'k', () => {
      seen.push(frames.inside(owner, 'k'), frames.inside(owner, 'l'), frames.inside({}, 'k'))
      frames.run(owner, 'l', () => seen.push(frames.inside(owner, 'k'), frames.inside(owner, 'l')))
    })
    seen.push(frames.inside(owner, 'k'))
    expect(seen).toEqual([true, false, false, true, true, false])
  })

  it('do not follow a fetcher past its first await (that takes AsyncLocalStorage), and forget a fetch once it settles', async () => {
    const frames = new FetchFrames(null)
    const seen: boolean[] = []
    await frames.run(owner, 'k', async () => {
      seen.push(frames.inside(owner, 'k'))
      await null
      seen.push(frames.inside(owner, 'k'))
    })
    expect(seen).toEqual([true, false])
  })
})

describe('fetch frames with AsyncLocalStorage', () => {
  it('follow a fetcher through its awaits, and not past its end', async () => {
    const frames = new FetchFrames()
    const owner = {}
    const seen: boolean[] = []
    let later: Promise<void> | undefined
    await frames.run(owner, 'k', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      seen.push(frames.inside(owner, 'k'))
      later = new Promise((resolve) => setTimeout(resolve, 5)).then(() => void seen.push(frames.inside(owner, 'k')))
    })
    await later
    expect(seen).toEqual([true, false])
  })
})
