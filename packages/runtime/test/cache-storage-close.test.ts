// cacheStorageStore.close() in Node, which has BroadcastChannel but no Cache Storage (the store
// keeps its entries in memory there): a closed store no longer hears the other tabs.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { cacheStorageStore } from '../src/stores/cache-storage-store.js'
import type { Invalidation } from '../src/types.js'

function listening(store: ReturnType<typeof cacheStorageStore>) {
  const heard: Invalidation[] = []
  let wake = () => {}
  store.subscribe((invalidation) => {
    heard.push(invalidation)
    wake()
  })
  return { heard, next: () => new Promise<void>((resolve) => (wake = resolve)) }
}

describe('cacheStorageStore.close()', () => {
  it('a closed store hears no more invalidations from other tabs; the others still do', async () => {
    const cacheName = `close-test-${randomUUID()}`
    const [a, b, c] = [cacheStorageStore({ cacheName }), cacheStorageStore({ cacheName }), cacheStorageStore({ cacheName })]
    const heardByB = listening(b)
    const heardByC = listening(c)

    const first = Promise.all([heardByB.next(), heardByC.next()])
    await a.delete('first').catch(() => {}) // no Cache Storage in Node: reported once, still told to the others
    await first
    expect(heardByB.heard).toEqual([{ kind: 'key', key: 'first' }])

    b.close()
    const second = heardByC.next()
    await a.delete('second').catch(() => {})
    await second // C heard it: a message to B would have arrived by now too
    expect(heardByC.heard.map((invalidation) => invalidation.kind === 'key' && invalidation.key)).toEqual(['first', 'second'])
    expect(heardByB.heard).toHaveLength(1)

    await b.delete('from the closed store').catch(() => {}) // telling nobody is not an error
    for (const store of [a, c]) store.close()
  })
})
