export async function listPosts() {
  return ['Caching page data with one line', 'Why stale is often fine']
}
