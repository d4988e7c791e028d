// Pragma: revalidate 60
import { catalog } from '#lib/catalog'

export async function loader({ params }) {
  const items = await catalog(params.shelf)
  return { items }
}
