/**
 * What the compiler knows about one framework, as data: one module per framework states where
 * its pages are, how their data is loaded, what of the visitor's request is reachable from the
 * loader's inputs, and what its modules' exports mean. The analysis and the emit read these
 * tables and know no framework by name; adding a framework is adding a module.
 */
import type { ErrorCode } from '../diagnostics.js'
import type { Shape } from '../shapes.js'

export type FrameworkName = 'react-router' | 'sveltekit' | 'astro' | 'next' | 'tanstack-start' | 'qwik' | 'vite'

/** A loader written as a call rather than an exported function. */
export interface LoaderCall {
  /** The module(s) the called function is imported from, and its exported name. */
  from: RegExp
  name: string
  /**
   * Where the loader function is: `argument`, the call's first argument (`routeLoader$(fn)`);
   * `route-options`, the `loader` of the options object given to the function the call returns
   * (`createFileRoute('/posts/$id')({ loader })`).
   */
  form: 'argument' | 'route-options'
  /**
   * An option beside the loader that picks, from the query, what the loader depends on
   * (TanStack's `loaderDeps: ({ search }) => ({ page: search.page })`). Its reads of `input` are
   * the page's query reads; the loader then gets `loaderInput`, whose deps are not the query.
   */
  deps?: { option: string; input: Shape; loaderInput: Shape }
}

/**
 * What a framework tracks about a load's inputs to decide when to run it again, as the runtime's
 * `Tracking` reads it: calls that are reads (replayed on callers whose data came from cache),
 * calls made only for their effect (`depends`), and the function that reads untracked.
 */
export interface Tracking {
  calls: readonly string[]
  effects?: readonly string[]
  untrack?: string
}

/**
 * What Vercel reads of this framework's per-page ISR (see vercel.ts): Next's route segment config
 * and getStaticProps' `revalidate`, SvelteKit's `config.isr`, or, for a plain Vite app, the Build
 * Output the Vite plugin writes.
 */
export type VercelIsr = 'next' | 'sveltekit' | 'build-output'

export interface Framework {
  name: FrameworkName
  /** The same framework, as a file of this path sees it, where that differs (an Astro component, not a page). */
  variantFor?: (path: string) => Framework
  /**
   * Files of this variant are components that routes render (an Astro layout), not routes: their
   * data is cached once per page that renders them, keyed by that page's URL and the module.
   */
  component?: boolean
  /**
   * Why the pragma cannot cache this kind of file where it is wrapped on a server, and what to do
   * instead (SvelteKit's universal loads run again in the browser on hydration). The browser's
   * own cache of such a file, and a platform's ISR of the whole page, are fine.
   */
  serverRefusal?: { code: ErrorCode; problem: string; fix: string }
  /** Page files of this framework, by path (the module id without its query). */
  files?: RegExp
  /** Modules only pages of this framework import. */
  imports?: RegExp
  /** Export names only pages of this framework have (`getServerSideProps`). */
  exports?: readonly string[]
  /** The first argument of an exported loader (`loader`, `load`, ... or a `loaders` option name). */
  loaderInput: Shape
  /**
   * Type names of the request and of the framework's request context (`RequestEvent`,
   * `LoaderFunctionArgs`): a parameter of a cached function typed as one is per visitor.
   */
  requestTypes?: readonly string[]
  /** The first argument of loaders with these export names, where it differs (Next's `getServerSideProps`). */
  loaderInputs?: Readonly<Record<string, Shape>>
  /** Loaders written as calls: TanStack Start's `createFileRoute(path)({ loader })`, Qwik's `routeLoader$(fn)`. */
  loaderCalls?: readonly LoaderCall[]
  /**
   * The route a call-shaped loader declares, in the route grammar of `pageKey`, from the call's
   * first string argument (TanStack's `createFileRoute('/posts/$postId')` -> `/posts/:postId`).
   */
  routeOfLoaderCall?: (path: string) => string
  /**
   * Several loaders render one URL (a layout's and a page's, a parent route's and a child's): each
   * loader's entry is told apart by its module (`page:<path>#<module>`).
   */
  nestedLoaders?: boolean
  /** What Vercel reads of this framework's per-page ISR; without it, pages are wrapped on Vercel as on node. */
  vercel?: VercelIsr
  /** What the framework tracks about a load's inputs; replayed when the data comes from cache. */
  tracking?: Tracking
  /** The first parameter of an async default-exported page function (Next.js app router props). */
  pageProps: Shape
  /** Names the page's code reads without declaring them (Astro's `Astro`). */
  globals?: Readonly<Record<string, Shape>>
  /**
   * What the exports of modules mean, by module and export name: request-bound APIs (any local
   * name, namespace imports included), calls that never return, Response builders.
   */
  modules?: Readonly<Record<string, Readonly<Record<string, Shape>>>>
}
