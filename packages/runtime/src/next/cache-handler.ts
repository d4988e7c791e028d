// The incremental cache handler as a module Next loads by path (`cacheHandler`), set up from the
// settings withRevalidate(nextConfig, { cache }) passes (settings.ts).
import { createIncrementalCacheHandler } from './incremental-cache-handler.js'
import { optionsFromEnvironment } from './environment.js'

export default createIncrementalCacheHandler(await optionsFromEnvironment())
