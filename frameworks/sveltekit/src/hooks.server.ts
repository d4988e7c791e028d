// Every response says where its page data came from: x-revalidate: HIT, STALE or MISS.
import type { Handle } from '@sveltejs/kit/hooks'
import { withCacheHeader } from '@revalidate/runtime/node'

export const handle: Handle = ({ event, resolve }) => withCacheHeader(() => resolve(event))
