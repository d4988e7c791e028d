// The `'use cache'` handler as a module Next loads by path (`cacheHandlers.default` and `.remote`),
// set up from the settings withRevalidate(nextConfig, { cache }) passes (settings.ts).
import { optionsFromEnvironment } from './environment.js'
import { createUseCacheHandler } from './use-cache-handler.js'

export default createUseCacheHandler(await optionsFromEnvironment())
