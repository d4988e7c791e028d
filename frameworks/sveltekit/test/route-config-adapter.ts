// A SvelteKit adapter that writes down what SvelteKit resolved as each route's `config`: what
// adapter-vercel reads for a route's ISR (`config.isr.expiration`). adapter-vercel itself has no
// release for SvelteKit 3 on the registry yet; its input is what this records.
import { writeFileSync } from 'node:fs'
import type { Adapter } from '@sveltejs/kit'

export default function routeConfigAdapter(file: string): Adapter {
  return {
    name: 'route-config',
    adapt(builder) {
      writeFileSync(file, JSON.stringify(Object.fromEntries(builder.routes.map((route) => [route.id, route.config]))))
    },
  }
}
