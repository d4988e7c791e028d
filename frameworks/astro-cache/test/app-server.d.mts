export declare const APP_ROOT: string
export declare const SITE_HOST: string
export declare const CLOUDFLARE_CONFIG: string

export type Provider = 'revalidate' | 'revalidate-redis' | 'astro-memory'
/** Who answers: a Node server with its provider, or the Cloudflare build in Miniflare. */
export type Server = Provider | 'revalidate-cloudflare'

export interface Answer {
  status: number
  body: string
  /** x-astro-cache: HIT, STALE, MISS, or null when the response did not come through a cache. */
  cache: string | null
  age: string | null
  setCookie: string | null
  /** The render number the page shows (each render of a page has its own). */
  render: number
  title: string | undefined
}

export interface App {
  origin: string
  provider: Server
  output(): string
  get(path: string, headers?: Record<string, string>): Promise<Answer>
  renders(): Promise<Record<string, number>>
  rename(slug: string, title: string): Promise<void>
  closeGate(slug: string): Promise<void>
  openGate(slug: string): Promise<void>
  invalidate(options: { path?: string; tags?: readonly string[] }): Promise<void>
  invalidatePage(key: string): Promise<void>
  stop(): Promise<void>
}

export declare function buildApp(config?: string): string
export declare function startApp(options: { provider: Provider; env?: Record<string, string> }): Promise<App>
export declare function startCloudflareApp(): Promise<App>
export declare function rendersOf(apps: App[], page: string): Promise<number>
export declare function burst(apps: App[], path: string, page: string, options?: { count?: number; settleMs?: number }): Promise<{ responses: Answer[]; renders: number }>
