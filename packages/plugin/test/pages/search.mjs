// Pragma: revalidate 60 query q
import { query } from './db.mjs'

export const loader = async ({ url }) => ({ results: await query('search', url.searchParams.get('q')) })
