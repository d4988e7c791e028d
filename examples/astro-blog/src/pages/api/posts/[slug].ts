// POST with intent=update (the form of /posts/<slug>/edit) or intent=delete (the post page's button).
import type { APIRoute } from 'astro'
import { answerWrite, postInput, RequestError } from '../../../lib/forms'
import { deletePost, updatePost } from '../../../lib/posts'

export const POST: APIRoute = (context) =>
  answerWrite(context, async (form) => {
    const slug = context.params.slug ?? ''
    const intent = form.get('intent')
    if (intent !== 'update' && intent !== 'delete') throw new RequestError(400, 'intent must be "update" or "delete"')
    const done = intent === 'update' ? await updatePost(slug, postInput(form)) : await deletePost(slug)
    if (!done) throw new RequestError(404, `there is no post "${slug}"`)
    return { status: 200, body: { slug }, location: intent === 'update' ? `/posts/${slug}` : '/' }
  })
