// Pragma: revalidate 60
import { query } from '../db.mjs'

export async function loader({ params, request }) {
  const post = await query('post', params.slug)
  return { post, seenBy: this?.name ?? null, extra: arguments[1] ?? null, path: new URL(request.url).pathname }
}
