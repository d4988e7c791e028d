# Pragma: revalidate 2
import { nextEdition } from '../newsroom.js'

export async function loader({ request }) {
  const edition = await nextEdition()
  return { edition, path: new URL(request.url).pathname }
}
