// Pragma: revalidate 60
import { useLoaderData } from 'react-router'
import { findPost } from '../posts.server'

export async function loader({ params }: { params: { slug?: string } }) {
  const post = await findPost(params.slug ?? '')
  if (post === null) throw new Response('Not found', { status: 404 })
  return { post }
}

export default function Post() {
  const { post } = useLoaderData<typeof loader>()
  return <h2 id="post-title">Post {post.title}</h2>
}
