// Pragma: revalidate 1
import { useLoaderData } from 'react-router'
import { findFastPost } from '../posts.server'

export async function loader({ params }: { params: { slug?: string } }) {
  return { post: await findFastPost(params.slug ?? '') }
}

export default function FastPost() {
  const { post } = useLoaderData<typeof loader>()
  return <h2 id="post-title">Post {post?.title}</h2>
}
