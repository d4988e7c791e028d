// The app's data behind server functions: the shared in-memory posts of the framework tests.
import { createServerFn } from '@tanstack/react-start'
import * as db from '../../../test/posts-db'

export { loaderCalls, renamePost } from '../../../test/posts-db'

export const listPosts = createServerFn({ method: 'GET' }).handler(() => db.listPosts())
export const findPost = createServerFn({ method: 'GET' })
  .validator((slug: string) => slug)
  .handler(({ data }) => db.findPost(data))
/** The same post, counted apart: the route with a 1-second ttl. */
export const findFastPost = createServerFn({ method: 'GET' })
  .validator((slug: string) => slug)
  .handler(({ data }) => db.findFastPost(data))
