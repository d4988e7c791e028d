export async function latestPosts() {
  return ['Caching page data with one line', 'Why stale is often fine']
}

/** A post, or null when there is none; `boom` stands for a database that fails. */
export async function findPost(slug) {
  if (slug === 'missing') return null
  if (slug === 'boom') throw new Error('the database is down')
  return { slug, title: `Post ${slug}` }
}
