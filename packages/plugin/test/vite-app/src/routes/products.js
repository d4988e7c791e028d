// Pragma: revalidate 60
import { pricesFor } from '#lib/prices'

export async function loader() {
  const prices = await pricesFor([1, 2])
  return { prices }
}
