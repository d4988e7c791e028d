// Found through package.json's `imports` (#lib/*); reads the currency through a Vite alias (~).
import { currency } from '~/server/currency.js'

export async function pricesFor(ids) {
  return ids.map((id) => ({ id, amount: id * 10, currency: currency() }))
}
