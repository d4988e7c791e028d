import adapter from '@sveltejs/adapter-node'
import { sveltekit } from '@sveltejs/kit/vite'
import revalidate from '@revalidate/plugin/vite'
import { defineConfig } from 'vite'
import routeConfigAdapter from './test/route-config-adapter'

// The tests build once more for Vercel, recording each route's config instead of writing Build Output.
const recordRouteConfig = process.env.REVALIDATE_ROUTE_CONFIG

export default defineConfig({
  plugins: [revalidate(), sveltekit({ adapter: recordRouteConfig ? routeConfigAdapter(recordRouteConfig) : adapter() })],
})
