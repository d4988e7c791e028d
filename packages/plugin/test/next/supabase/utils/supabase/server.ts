import { cookies } from 'next/headers'

// Supabase's server client (`createServerClient` of @supabase/ssr), reduced to what the page uses.
export async function createClient() {
  const cookieStore = await cookies()
  return {
    auth: {
      async getUser() {
        const token = cookieStore.get('sb-access-token')?.value
        return { data: { user: token === undefined ? null : { email: `${token}@example.com` } } }
      },
    },
  }
}
