import { findPost } from './db.js'
# Pragma: revalidate 60
export const loader = async () => ({ post: await findPost('x') })
