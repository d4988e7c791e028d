// Until the vercel store lands, this target uses the in-memory store of the universal runtime.
export * from '../index.js'
