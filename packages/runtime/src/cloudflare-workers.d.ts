// The part of the Workers runtime module this package uses (workerd provides it at run time).
declare module 'cloudflare:workers' {
  export function waitUntil(promise: Promise<unknown>): void
}
