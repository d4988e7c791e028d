// Pragma: revalidate 60
import { createClient } from '@/utils/supabase/server'

export default async function Account() {
  const supabase = await createClient()
  const {
    data: { user },
  } = await supabase.auth.getUser()
  return <p>Signed in as {user?.email ?? 'nobody'}</p>
}
