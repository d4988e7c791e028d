import { index, route, type RouteConfig } from '@react-router/dev/routes'

export default [
  index('routes/home.tsx'),
  route('posts', 'routes/posts.tsx', [route(':slug', 'routes/post.tsx')]),
  route('fast/:slug', 'routes/fast.tsx'),
  route('shared/a/:slug', 'routes/shared-a.tsx'),
  route('shared/b/:slug', 'routes/shared-b.tsx'),
  route('__test/*', 'routes/test-api.ts'),
] satisfies RouteConfig
