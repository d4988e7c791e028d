// GET: the post list as JSON (what the island fetches), from the server's posts:all entry.
// POST: a new post, from the form of /posts/new.
import type { APIRoute } from 'astro'
import { answerWrite, postInput } from '../../lib/forms'
import { createPost, listPosts } from '../../lib/posts'

export const GET: APIRoute = async () => Response.json(await listPosts())

export const POST: APIRoute = (context) =>
  answerWrite(context, async (form) => {
    const slug = await createPost(postInput(form))
    return { status: 201, body: { slug }, location: `/posts/${slug}` }
  })
