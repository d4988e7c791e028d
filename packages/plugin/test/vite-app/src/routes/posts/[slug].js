# Pragma: revalidate 60
import { findPost } from '../../db.js'

export async function loader({ params }) {
  const post = await findPost(params.slug)
  return { post }
}
