// Inside Next.js but outside a request it serves (module start, a timer, a queue consumer), Next's
// own revalidateTag and revalidatePath refuse: the real `next/cache` is called here, outside any
// request, and each refusal must be reported naming the invalidation it belongs to.
import { describe, expect, it } from 'vitest'
import { createCache } from '../src/index.js'
import { revalidateInNext } from '../src/next-revalidation.js'
import { eventLog } from './helpers.js'

describe('invalidations reaching Next outside a request', () => {
  it('Next’s refusal is reported as a hook error naming the tag (or everything, or the page), and the invalidation resolves', async () => {
    const log = eventLog()
    const cache = createCache({ onInvalidate: revalidateInNext, onEvent: log.onEvent })
    await cache.invalidateTag('posts')
    await cache.invalidateAll()
    await cache.invalidate('page:/posts/hello')
    const refused = (call: string) => expect.objectContaining({ message: expect.stringContaining(`static generation store missing in ${call}`) })
    expect(log.events.filter((event) => event.type === 'error')).toEqual([
      { type: 'error', phase: 'hook', key: '', tag: 'posts', error: refused('revalidateTag("posts")') },
      { type: 'error', phase: 'hook', key: '', all: true, error: refused('revalidatePath("/")') },
      { type: 'error', phase: 'hook', key: 'page:/posts/hello', error: refused('revalidatePath("/posts/hello")') },
    ])
  })
})
