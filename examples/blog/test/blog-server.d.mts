export declare const BLOG_ROOT: string

export interface BlogServer {
  url: string
  dbPath: string
  /** What the server printed so far. */
  output(): string
  stop(): Promise<void>
}

export declare function startBlog(options?: { dev?: boolean; queryLatencyMs?: number; root?: string; env?: Record<string, string> }): Promise<BlogServer>
