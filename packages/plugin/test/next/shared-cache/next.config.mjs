import { withRevalidate } from '@revalidate/plugin/next'

// 'use cache' and route segment config together: experimental.useCache turns on the directive
// without cacheComponents (which rejects `export const revalidate`).
const nextConfig = { experimental: { useCache: true } }

// The benchmark (bench/next-cache.mjs) serves the same build with other handlers: Next's own
// (CACHE_HANDLERS=next), or Next's own but a bare incremental cache handler of its own (CACHE_HANDLER=<path>).
const ours = process.env.CACHE_HANDLERS !== 'next' && process.env.CACHE_HANDLER === undefined
const config = withRevalidate(nextConfig, ours ? { cache: { redis: process.env.REDIS_URL, maxMemoryBytes: Number(process.env.MAX_MEMORY_BYTES) || undefined } } : {})

export default process.env.CACHE_HANDLER === undefined ? config : { ...config, cacheHandler: process.env.CACHE_HANDLER, cacheMaxMemorySize: 0 }
