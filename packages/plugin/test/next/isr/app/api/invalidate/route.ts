import { invalidate } from '@revalidate/runtime'

export async function POST(request: Request) {
  await invalidate(new URL(request.url).searchParams.get('key') ?? '')
  return Response.json({ ok: true })
}
