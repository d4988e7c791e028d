// Pragma: revalidate 60
import { Link, Outlet, useLoaderData } from 'react-router'
import { listPosts } from '../posts.server'

export async function loader() {
  return { posts: await listPosts() }
}

export default function Posts() {
  const { posts } = useLoaderData<typeof loader>()
  return (
    <main>
      <nav>
        {posts.map((post) => (
          <Link key={post.slug} to={`/posts/${post.slug}`} className="post-item">
            {post.title}
          </Link>
        ))}
      </nav>
      <Outlet />
    </main>
  )
}
