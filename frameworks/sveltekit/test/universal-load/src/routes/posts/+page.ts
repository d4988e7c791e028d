// Pragma: revalidate 60
import type { PageLoad } from './$types'

export const load: PageLoad = async ({ fetch }) => {
  const response = await fetch('/api/posts')
  return { posts: (await response.json()) as { title: string }[] }
}
