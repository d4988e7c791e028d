// Reads nothing per visitor: the page that calls it compiles.
import { findPost } from '~/db.js'

export async function catalog(shelf) {
  return [await findPost(`${shelf}-1`), await findPost(`${shelf}-2`)]
}
