// The blog's forms, saved by fetch when JavaScript runs (without it they post and redirect): on
// success the form's event (its data-post-event) is announced, so the islands show the change at
// once; on failure the form says what was wrong.
import { announce, POST_EVENTS, type PostEvent } from './posts-cache'

const isPostEvent = (value: string | undefined): value is PostEvent => POST_EVENTS.includes(value as PostEvent)

async function save(form: HTMLFormElement, event: PostEvent): Promise<void> {
  const alert = form.querySelector('[role="alert"]')
  alert?.replaceChildren()
  try {
    const response = await fetch(form.action, { method: 'POST', body: new FormData(form), headers: { accept: 'application/json' } })
    // JSON from the API routes; an error page of the server (a 500, say) is text.
    const result = (response.headers.get('content-type')?.includes('application/json') ? await response.json() : {}) as { slug?: string; error?: string }
    if (!response.ok) throw new Error(result.error ?? `the server answered ${response.status}`)
    await announce(event, result.slug)
    form.parentElement?.querySelector(':scope > .notice')?.remove()
    form.after(notice(event, result.slug))
    if (event === 'post-created') form.reset()
  } catch (error) {
    alert?.replaceChildren(error instanceof Error ? error.message : String(error))
  }
}

function notice(event: PostEvent, slug: string | undefined): HTMLElement {
  const saved = (event === 'post-created' || event === 'post-updated') && slug !== undefined
  const link = Object.assign(document.createElement('a'), saved ? { href: `/posts/${encodeURIComponent(slug)}`, textContent: 'View the post' } : { href: '/', textContent: 'Back to the posts' })
  const paragraph = Object.assign(document.createElement('p'), { className: 'notice' })
  paragraph.dataset.notice = event
  paragraph.append(saved ? 'Saved. ' : event === 'post-deleted' ? 'Deleted. ' : 'Restored. ', link)
  return paragraph
}

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-post-event]')) {
  const event = form.dataset.postEvent
  if (!isPostEvent(event)) throw new Error(`data-post-event="${event}" is none of ${POST_EVENTS.join(', ')}`)
  form.addEventListener('submit', (submit) => {
    submit.preventDefault()
    void save(form, event)
  })
}
