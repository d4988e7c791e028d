/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** What the cache did for this request (src/middleware.ts), for the badge. */
    cache?: import('./lib/cache-state').CacheRecord
  }
}
