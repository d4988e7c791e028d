// Pragma: revalidate 60
import { findPost } from '../db.js'

export async function loader({ params, request }) {
  const theme = request.headers.get('x-theme')
  return { post: await findPost(params.slug), theme }
}
