// The app's post queries the docs' examples import (`../lib/posts`, `#lib/posts.server`, ...): the
// docs test resolves any app module named `posts` (or `posts.server`) that a page does not show
// to this stand-in.
import type { Post } from './db.js'

export type { Post }
export declare function listPosts(): Promise<Post[]>
export declare function findPost(slug: string): Promise<Post | undefined>
