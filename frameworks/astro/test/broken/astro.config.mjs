// An Astro app whose page reads the visitor's cookies in a cached frontmatter: the build must
// stop with the error's frame and one location (Astro prints the message and its own Location).
import revalidate from '@revalidate/plugin/vite'
import { defineConfig } from 'astro/config'

export default defineConfig({
  vite: { plugins: [revalidate()] },
})
