// What the tests drive: loader call counts, edits behind the cache's back, invalidation.
import { createFileRoute } from '@tanstack/react-router'
import { invalidate } from '@revalidate/runtime'
import { loaderCalls, renamePost } from '../server/posts'

export const Route = createFileRoute('/__test/$action')({
  server: {
    handlers: {
      GET: () => Response.json(loaderCalls()),
      POST: async ({ params, request }) => {
        const url = new URL(request.url)
        if (params.action === 'rename') renamePost(url.searchParams.get('slug') ?? '', url.searchParams.get('title') ?? '')
        if (params.action === 'invalidate') await invalidate(url.searchParams.get('key') ?? '')
        return Response.json({ ok: true })
      },
    },
  },
})
