// Pragma: revalidate 30
// A synchronous page whose data lives in an async child component: Next caches the whole page.
import { titleOf } from '../../lib/posts'

async function Latest() {
  return <p id="latest">Latest {await titleOf('hello', 'home')}</p>
}

export default function Home() {
  return (
    <main>
      <Latest />
    </main>
  )
}
