// Warm-up requests (`x-revalidate-warm: 1`, sent by `revalidate warm`): their cache events say
// so, and nothing else changes: a warm-up hits, misses and goes stale exactly as a visitor does.
import { beforeEach, describe, expect, it } from 'vitest'
import { cachePage, configure, type CacheEvent, type CompiledPage } from '../src/index.js'
import { eventTaps } from '../src/event-taps.js'

const page: CompiledPage = { route: '/posts/[slug]', ttl: 60, version: 'v1' }
const URL_OF = 'https://site.example/posts/hello'
const visitor = () => ({ request: new Request(URL_OF), params: { slug: 'hello' } })
const warmUp = (value = '1') => ({ request: new Request(URL_OF, { headers: { 'x-revalidate-warm': value } }), params: { slug: 'hello' } })

let events: CacheEvent[]
let nowMs: number
let fetches: number
beforeEach(() => {
  events = []
  nowMs = 1_000_000
  fetches = 0
  configure({ onEvent: (event) => events.push(event), now: () => nowMs })
})

const load = (context: object) => cachePage(page, context, () => async () => ({ n: ++fetches }))
const said = () => events.filter((event) => event.type === 'hit' || event.type === 'stale' || event.type === 'miss').map((event) => `${event.type}${'warm' in event && event.warm ? ' warm' : ''}`)

describe('a warm-up request', () => {
  it('misses and fills the entry as a visitor would, its event marked warm', async () => {
    expect(await load(warmUp())).toEqual({ n: 1 })
    expect(await load(visitor())).toEqual({ n: 1 })
    expect(said()).toEqual(['miss warm', 'hit'])
    expect(events[0]).toEqual({ type: 'miss', key: 'page:/posts/hello', warm: true })
  })

  it('gets a HIT like any other request: the header cannot skip the cache', async () => {
    await load(visitor())
    expect(await load(warmUp())).toEqual({ n: 1 })
    expect(fetches).toBe(1)
    expect(said()).toEqual(['miss', 'hit warm'])
  })

  it('cannot force a refresh: past the ttl it is served stale, with the one background refresh a visitor would start', async () => {
    await load(visitor())
    nowMs += 61_000
    expect(await load(warmUp())).toEqual({ n: 1 })
    expect(await load(warmUp())).toEqual({ n: 1 }) // the refresh is running: no second one
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(fetches).toBe(2)
    expect(said()).toEqual(['miss', 'stale warm', 'stale warm'])
  })

  it('is read where frameworks put the request: { request }, a Request itself, Node’s { req } (pages router)', async () => {
    const contexts = [
      warmUp(),
      new Request('https://site.example/posts/a', { headers: { 'x-revalidate-warm': '1' } }),
      { req: { url: '/posts/b', headers: { 'x-revalidate-warm': '1' } }, params: { slug: 'b' } },
    ]
    for (const context of contexts) await load(context)
    expect(said()).toEqual(['miss warm', 'miss warm', 'miss warm'])
  })

  it('is only `x-revalidate-warm: 1`', async () => {
    await load(warmUp('true'))
    await load({ req: { url: '/posts/hello', headers: { 'x-revalidate-warm': '0' } } })
    expect(said()).toEqual(['miss', 'hit'])
  })

  it('reaches the event taps (the dev log) too; with no one listening, the header is not even read', async () => {
    let reads = 0
    const counted = () => ({ request: { url: URL_OF, headers: { get: (name: string) => (reads++, name === 'x-revalidate-warm' ? '1' : null) } }, params: { slug: 'hello' } })
    configure({ now: () => nowMs })
    await load(counted())
    await load(counted())
    expect(reads).toBe(0)

    const heard: CacheEvent[] = []
    const tap = (event: CacheEvent) => void heard.push(event)
    eventTaps().add(tap)
    try {
      await load(counted())
    } finally {
      eventTaps().delete(tap)
    }
    expect(reads).toBe(1)
    expect(heard).toEqual([{ type: 'hit', key: 'page:/posts/hello', age: 0, warm: true }])
  })
})
