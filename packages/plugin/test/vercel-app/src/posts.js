export async function latestPosts() {
  return ['Caching page data with one line', 'Why stale is often fine']
}

export async function findPost(slug) {
  return { slug, title: `Post ${slug}` }
}
