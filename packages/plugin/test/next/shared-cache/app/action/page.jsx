import { updateTag } from 'next/cache'
import { writeTitle } from '../../lib/db.js'
import { postsTitle } from '../../lib/data.js'

export const dynamic = 'force-dynamic'

async function rename(form) {
  'use server'
  writeTitle(String(form.get('title')))
  updateTag('posts')
}

export default async function Action() {
  return (
    <form action={rename}>
      <p id="title">title={await postsTitle()}</p>
      <input name="title" />
      <button type="submit">Rename</button>
    </form>
  )
}
