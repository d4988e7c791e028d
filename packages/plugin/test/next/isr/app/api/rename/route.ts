import { renamePost } from '../../../lib/posts'

export async function POST(request: Request) {
  const url = new URL(request.url)
  renamePost(url.searchParams.get('slug') ?? '', url.searchParams.get('title') ?? '')
  return Response.json({ ok: true })
}
