// Pragma: revalidate 60
import { createFileRoute, Link, Outlet } from '@tanstack/react-router'
import { listPosts } from '../server/posts'

export const Route = createFileRoute('/posts')({
  loader: async () => ({ posts: await listPosts() }),
  component: Posts,
})

function Posts() {
  const { posts } = Route.useLoaderData()
  return (
    <main>
      <nav>
        {posts.map((post) => (
          <Link key={post.slug} to="/posts/$slug" params={{ slug: post.slug }} className="post-item">
            {post.title}
          </Link>
        ))}
      </nav>
      <Outlet />
    </main>
  )
}
