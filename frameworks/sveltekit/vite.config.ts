import adapter from '@sveltejs/adapter-node'
import { sveltekit } from '@sveltejs/kit/vite'
import revalidate from '@revalidate/plugin/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [revalidate(), sveltekit({ adapter: adapter() })],
})
