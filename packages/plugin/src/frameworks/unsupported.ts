/**
 * Frameworks built on Vite that the pragma does not support yet, told apart by the names of the
 * Vite plugins they add (what a Vite plugin can see of an app before it compiles anything):
 *
 *   nuxt:vite-node-server, nuxt:build-outputs, ...     -> Nuxt
 *   solid-start:manifest-plugin, solid-start:env, ...  -> SolidStart
 *   nitro:main without a framework we support          -> Nitro alone
 *
 * Their pages (`.vue` files and `useAsyncData`, SolidStart's `query`, Nitro's event handlers) do
 * not load data in a way the compiler knows: the pragma there would be silently ignored, so the
 * build says so once instead. (Remix on Vite is React Router, which is supported.)
 */
import type { Plugin } from 'vite'
import { warningLine } from '../diagnostics.js'

interface Unsupported {
  name: string
  /** Names of the Vite plugins the framework adds. */
  plugins: RegExp
  /** What the pragma would be ignored in. */
  ignored: string
  /** Present in apps of frameworks we support too (Nitro serves TanStack Start): counts only alone. */
  aloneOnly?: true
}

const UNSUPPORTED: readonly Unsupported[] = [
  { name: 'Nuxt', plugins: /^nuxt:/, ignored: 'its .vue pages and Nitro routes are not compiled' },
  { name: 'SolidStart', plugins: /^solid-start:/, ignored: 'its routes and `query` functions are not compiled' },
  { name: 'Nitro', plugins: /^nitro:/, ignored: 'its event handlers are not compiled', aloneOnly: true },
]

/** Plugins of the frameworks the pragma supports: with one of them, Nitro is only their server. */
const SUPPORTED = /^(react-router|tanstack[:-]|vite-plugin-sveltekit|astro:|vite-plugin-qwik)/

/** The line a build prints for an app of a framework we do not support, or undefined. */
export function unsupportedFramework(plugins: readonly Pick<Plugin, 'name'>[]): string | undefined {
  const names = plugins.map((plugin) => plugin.name)
  const supported = names.some((name) => SUPPORTED.test(name))
  const found = UNSUPPORTED.find((framework) => names.some((name) => framework.plugins.test(name)) && !(framework.aloneOnly && supported))
  if (found === undefined) return undefined
  return warningLine('RV402', `${found.name} is not supported yet: the pragma is ignored in this app (${found.ignored}). Cache data with \`withRevalidate(key, ttl, fetcher)\` from @revalidate/runtime where it is loaded, or remove the plugin.`)
}
