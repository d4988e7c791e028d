import { withRevalidate } from '@revalidate/plugin/next'

// 'use cache' and route segment config together: experimental.useCache turns on the directive
// without cacheComponents (which rejects `export const revalidate`).
const nextConfig = { experimental: { useCache: true } }

export default withRevalidate(nextConfig, {
  cache: { redis: process.env.REDIS_URL, maxMemoryBytes: Number(process.env.MAX_MEMORY_BYTES) || undefined },
})
