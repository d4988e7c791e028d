import { slowValue } from '../../../lib/data.js'

export async function GET(request) {
  return Response.json({ value: await slowValue(new URL(request.url).searchParams.get('id')) })
}
