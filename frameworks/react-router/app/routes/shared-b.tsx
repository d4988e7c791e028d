// A page without a pragma that reads one post through the cached function (its twin: shared-a.tsx).
import { useLoaderData } from 'react-router'
import { getSharedPost } from '../cached-posts.server'

export async function loader({ params }: { params: { slug?: string } }) {
  const post = await getSharedPost(params.slug ?? '')
  if (post === null) throw new Response('Not found', { status: 404 })
  return { post }
}

export default function SharedPost() {
  const { post } = useLoaderData<typeof loader>()
  return <h2 id="post-title">Post {post.title}</h2>
}
