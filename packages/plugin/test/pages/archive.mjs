// Pragma: revalidate 30
import { query } from './db.mjs'

export default async function Archive({ year }) {
  const posts = await query('archive', year)
  function heading(name) {
    return `${PREFIX} ${name.toUpperCase()}`
  }
  const PREFIX = 'Archive:'
  const total = await query('count', year)
  if (year === 'missing-year') return '<p>none</p>'
  const title = heading(posts.arg)
  return `<h1>${title}</h1><p>${total.name}</p>`
}
