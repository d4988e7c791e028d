# Pragma: revalidate 60
import { createFileRoute } from '@tanstack/react-router'

export const Route = createFileRoute('/')({
  loader: async () => ({ posts: await Promise.resolve(['Hello', 'World']) }),
  component: Home,
})

function Home() {
  const { posts } = Route.useLoaderData()
  return <ul>{posts.map((post) => <li key={post}>{post}</li>)}</ul>
}
