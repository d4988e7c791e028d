// Every response says where its page data came from: x-revalidate: HIT, STALE or MISS.
import { defineMiddleware } from 'astro:middleware'
import { withCacheHeader } from '@revalidate/runtime/node'

export const onRequest = defineMiddleware((_context, next) => withCacheHeader(next))
