import { cacheLife, cacheTag } from 'next/cache'
import { readTitle, recordCall } from './db.js'

export async function postsTitle() {
  'use cache'
  cacheTag('posts')
  cacheLife({ stale: 60, revalidate: 3600, expire: 86400 })
  recordCall('posts')
  return readTitle()
}

export async function slowValue(id) {
  'use cache'
  cacheLife('hours')
  recordCall(`slow:${id}`)
  await new Promise((resolve) => setTimeout(resolve, 300))
  return `${id} made at ${Date.now()} by ${process.pid}`
}

export async function filler(i) {
  'use cache'
  return `${i}:${'x'.repeat(200)}`
}
