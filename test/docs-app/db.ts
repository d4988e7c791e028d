// The database client the docs' examples import as `db` (`./db`, `../../db`, `~/lib/db`, ...): the
// docs test (test/docs.test.ts) resolves any app module named `db` that a page does not show to
// this stand-in, so the examples type-check against one small, typed API.
export interface Post {
  slug: string
  title: string
  body: string
  categoryId: number
}

export declare const db: {
  posts: {
    all(): Promise<Post[]>
    bySlug(slug: string): Promise<Post | undefined>
    inCategory(categoryId: number): Promise<Post[]>
    update(slug: string, changes: Partial<Post>): Promise<Post>
  }
}
