// Pragma: revalidate 1
import { createFileRoute } from '@tanstack/react-router'
import { findFastPost } from '../../server/posts'

export const Route = createFileRoute('/fast/$slug')({
  loader: async ({ params }) => ({ post: await findFastPost({ data: params.slug }) }),
  component: FastPost,
})

function FastPost() {
  const { post } = Route.useLoaderData()
  return <h2 id="post-title">Post {post?.title}</h2>
}
