// The server entry, as Start lets an app write its own: every response says where its page data
// came from (x-revalidate: HIT, STALE or MISS).
import handler from '@tanstack/react-start/server-entry'
import { withCacheHeader } from '@revalidate/runtime/node'

export default {
  fetch: (request: Request) => withCacheHeader(() => handler.fetch(request)),
}
