// Pragma: revalidate 60
import { createFileRoute, notFound } from '@tanstack/react-router'
import { findPost } from '../../server/posts'

export const Route = createFileRoute('/posts/$slug')({
  loader: async ({ params }) => {
    const post = await findPost({ data: params.slug })
    if (!post) throw notFound()
    return { post }
  },
  component: Post,
})

function Post() {
  const { post } = Route.useLoaderData()
  return <h2 id="post-title">Post {post.title}</h2>
}
