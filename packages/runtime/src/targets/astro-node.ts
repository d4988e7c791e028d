// Astro's cache provider (revalidateCache() in astro.config) on Node: the default cache of the node target.
import './node.js'
import { providerFactory } from '../astro/factory.js'

export default providerFactory('@revalidate/runtime/astro/provider')
