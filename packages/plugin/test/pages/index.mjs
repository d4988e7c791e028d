// Pragma: revalidate 30
import { query } from './db.mjs'

export default async function Home(props) {
  const posts = await query('posts', 'all')
  let title = 'Latest'
  if (props.draft) title += ' (draft)'
  return `<h1>${title}</h1><p>${posts.name}:${posts.arg}</p>`
}
