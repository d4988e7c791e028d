// POST: back to the sample posts (the home page's button).
import type { APIRoute } from 'astro'
import { answerWrite } from '../../lib/forms'
import { restoreSamplePosts } from '../../lib/posts'

export const POST: APIRoute = (context) =>
  answerWrite(context, async () => {
    await restoreSamplePosts()
    return { status: 200, body: {}, location: '/' }
  })
