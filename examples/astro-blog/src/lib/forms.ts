// The API routes' side of the blog's forms. A form posted by the page's script (src/scripts/post-forms.ts,
// `accept: application/json`) gets JSON back; the same form posted without JavaScript gets a
// redirect to the page that shows the result (or the error as plain text).
import type { APIContext } from 'astro'
import type { PostInput } from './posts'

/** A request the route refuses: `status` and a message that says what is wrong. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** What a write did: JSON for the script, and where a plain form post goes next. */
export interface WriteOutcome {
  status: number
  body: Record<string, unknown>
  location: string
}

async function readForm(request: Request): Promise<FormData> {
  const type = request.headers.get('content-type') ?? ''
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/.test(type)) {
    throw new RequestError(415, `send the form's fields as application/x-www-form-urlencoded or multipart/form-data, not ${type || 'no content type'}`)
  }
  try {
    return await request.formData()
  } catch (error) {
    throw new RequestError(400, `the form could not be read: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** A post's fields, checked. */
export function postInput(form: FormData): PostInput {
  const text = (name: string) => {
    const value = form.get(name)
    return typeof value === 'string' ? value.trim() : ''
  }
  const input = { title: text('title'), body: text('body') }
  if (!input.title) throw new RequestError(400, 'title is required')
  if (!input.body) throw new RequestError(400, 'body is required')
  return input
}

/** Runs `write` with the posted form and answers as the caller asked (JSON, or a redirect). */
export async function answerWrite(context: APIContext, write: (form: FormData) => Promise<WriteOutcome>): Promise<Response> {
  const json = context.request.headers.get('accept')?.includes('application/json') ?? false
  try {
    const outcome = await write(await readForm(context.request))
    return json ? Response.json(outcome.body, { status: outcome.status }) : context.redirect(outcome.location, 303)
  } catch (error) {
    if (!(error instanceof RequestError)) throw error
    return json ? Response.json({ error: error.message }, { status: error.status }) : new Response(error.message, { status: error.status, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  }
}
