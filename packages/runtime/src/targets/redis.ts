// Node instances that share one cache through Redis: configure({ store: redisStore({ url }) }).
export * from '../index.js'
export { RedisStore, redisStore, type RedisStoreOptions } from '../stores/redis-store.js'
