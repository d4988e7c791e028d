# Pragma: revalidate 2
import { nextEdition } from '../newsroom.js'

export async function loader({ request }) {
  const { edition, fetchedIn } = await nextEdition()
  return { edition, fetchedIn, path: new URL(request.url).pathname }
}
