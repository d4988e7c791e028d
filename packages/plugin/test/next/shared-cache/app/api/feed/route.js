import { readTitle } from '../../../lib/db.js'

export const revalidate = 3600

export async function GET() {
  return Response.json({ title: readTitle() })
}
