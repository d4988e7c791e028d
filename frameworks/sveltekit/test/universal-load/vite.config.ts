// A SvelteKit app whose one page loads its data in a universal `+page.ts` with the pragma: the
// build must stop with the reason and the fix, since a cache hit would make the browser fetch again.
import { sveltekit } from '@sveltejs/kit/vite'
import revalidate from '@revalidate/plugin/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [revalidate(), sveltekit()],
})
