import { revalidatePath } from 'next/cache'

export async function POST(request) {
  revalidatePath(new URL(request.url).searchParams.get('path'))
  return Response.json({ ok: true })
}
