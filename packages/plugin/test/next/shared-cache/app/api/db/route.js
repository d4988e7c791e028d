import { writeTitle } from '../../../lib/db.js'

export async function POST(request) {
  writeTitle(new URL(request.url).searchParams.get('title'))
  return Response.json({ ok: true })
}
