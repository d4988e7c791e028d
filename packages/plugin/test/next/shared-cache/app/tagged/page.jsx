import { postsTitle } from '../../lib/data.js'

export const dynamic = 'force-dynamic'

export default async function Tagged() {
  return <p id="title">title={await postsTitle()}</p>
}
