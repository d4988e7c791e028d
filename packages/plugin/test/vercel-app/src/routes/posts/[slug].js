# Pragma: revalidate 300 query ref
import { findPost } from '../../posts.js'

export async function loader({ params, request }) {
  const ref = new URL(request.url).searchParams.get('ref')
  return { post: await findPost(params.slug), ref }
}

export const render = ({ post, ref }) => (post === null ? null : `<h1>${post.title}</h1><p>via ${ref ?? 'direct'}</p>`)
