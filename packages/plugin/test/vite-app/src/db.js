// The fixture app's data source: counts queries so the test can see what was cached.
export const queries = []

export async function findPost(slug) {
  queries.push(slug)
  return { slug, title: `Post ${slug}` }
}
