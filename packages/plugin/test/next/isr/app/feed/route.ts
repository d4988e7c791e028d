// Pragma: revalidate 45
// A GET route handler: Next caches its response for the route segment's revalidate.
import { titleOf } from '../../lib/posts'

export async function GET() {
  return Response.json({ title: await titleOf('hello', 'feed') })
}
