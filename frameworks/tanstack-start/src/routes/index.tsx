import { createFileRoute, Link } from '@tanstack/react-router'

export const Route = createFileRoute('/')({
  component: () => (
    <main>
      <h1>Home</h1>
      <Link to="/posts/$slug" params={{ slug: 'hello' }}>
        Hello
      </Link>
    </main>
  ),
})
