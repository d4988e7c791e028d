/**
 * Keeps a framework's dependency tracking true when a load's data comes from cache. Frameworks
 * such as SvelteKit watch what a load reads from its event (`params.slug`, `url.pathname`,
 * `depends('app:posts')`) to decide when to run it again; a cached load that never ran would
 * report that it read nothing, and a client navigation to another post would keep the old one.
 *
 * So the context of the caller that runs the fetcher is watched while the fetcher runs, what it
 * read travels with the cached value, and every other caller replays those reads on its own
 * context, before it returns, exactly as if its load had run:
 *
 *   fetcher reads  event.params.slug, event.depends('app:posts')
 *   stored as      [['params', 'slug'], ['depends', ['app:posts']]]
 *   replayed as    other.params.slug; other.depends('app:posts')
 *
 * Only reads of plain values and calls the framework names as tracking calls are recorded; a call
 * the framework does not name (`fetch`, say) is never replayed, it could have effects.
 */

/** What a framework tracks, as the compiler states it for the framework of the page. */
export interface Tracking {
  /**
   * Paths of the context's functions whose calls are reads (their result matters): made for real
   * by the caller that fetches, replayed by every other caller. `['parent', 'url.searchParams.get']`
   */
  calls: readonly string[]
  /**
   * Paths of the context's functions called only for their effect on tracking or on the response
   * (`depends`, `setHeaders`): recorded while the fetcher runs, and made by every caller, the one
   * that fetched included, on its own context when the value arrives. Never made by the fetcher
   * itself: a background refresh runs after its request has been answered.
   */
  effects?: readonly string[]
  /** A function on the context that runs a callback untracked (SvelteKit's `untrack`). */
  untrack?: string
}

/** A read of a plain value at a path, or a call of a tracking function with its arguments. */
export type Read = [path: string[]] | [path: string[], args: unknown[]]

/** Reads kept per fetch: enough for any real load, small enough to store with every entry. Effect calls are all kept: nobody else makes them. */
const MAX_READS = 256

/** The cached form of a tracked load's value. */
export interface TrackedValue<T> {
  value: T
  reads: Read[]
}

class ReadRecorder {
  readonly reads: Read[] = []
  readonly #seen = new Set<string>()
  /** One view per object, so that `view.url === view.url` as on the real context. */
  readonly #views = new WeakMap<object, object>()
  #paused = 0
  #readCount = 0

  constructor(readonly tracking: Tracking) {}

  record(read: Read, effect = false): void {
    if (this.#paused > 0 || (!effect && this.#readCount >= MAX_READS)) return
    const id = JSON.stringify(read)
    if (this.#seen.has(id)) return
    this.#seen.add(id)
    this.reads.push(read)
    if (!effect) this.#readCount++
  }

  untracked<T>(run: () => T): T {
    this.#paused++
    try {
      return run()
    } finally {
      this.#paused--
    }
  }

  /** `target` seen through the recorder: reads below `path` are recorded, everything is forwarded. */
  view<T extends object>(target: T, path: string[]): T {
    const known = this.#views.get(target)
    if (known !== undefined) return known as T
    const view = new Proxy(target, {
      get: (object, property) => {
        // The real receiver, so that getters and internal slots (URL, Map) keep working.
        const value = Reflect.get(object, property, object) as unknown
        if (typeof property !== 'string') return value
        const at = [...path, property]
        // A frozen member must be answered as it is (a Proxy may not stand in for it): its own reads go unrecorded.
        if (typeof value === 'object' || typeof value === 'function') {
          const own = Reflect.getOwnPropertyDescriptor(object, property)
          if (own !== undefined && !own.configurable && own.writable === false) return value
        }
        if (typeof value === 'function') return this.#callable(value as (...args: unknown[]) => unknown, object, at)
        if (typeof value === 'object' && value !== null) return this.view(value, at)
        this.record([at])
        return value
      },
    })
    this.#views.set(target, view)
    return view
  }

  #callable(fn: (...args: unknown[]) => unknown, self: object, path: string[]) {
    const name = path.join('.')
    const { calls, effects = [], untrack } = this.tracking
    if (name === untrack) return (run: () => unknown) => fn.call(self, () => this.untracked(run))
    if (effects.includes(name)) {
      return (...args: unknown[]) => {
        if (args.every(isPlain)) return this.record([path, args], true)
        // Arguments no cache can keep: made now, on this caller's context, rather than lost.
        return fn.apply(self, args)
      }
    }
    if (!calls.includes(name)) return fn.bind(self)
    return (...args: unknown[]) => {
      if (args.every(isPlain)) this.record([path, args])
      return fn.apply(self, args)
    }
  }
}

function isPlain(value: unknown): boolean {
  if (value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value)) return true
  if (Array.isArray(value)) return value.every(isPlain)
  return typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && Object.values(value as object).every(isPlain)
}

/**
 * Replays `reads` on `context`: each value read again, each tracking call made again (with
 * `onlyEffects`, only the effect calls: what the caller that fetched did not make itself). A call
 * that `tracking` does not name is skipped, whatever the stored reads say.
 */
export function replayReads(context: unknown, reads: readonly Read[], tracking: Tracking, onlyEffects = false): void {
  const effects = tracking.effects ?? []
  for (const [path, args] of reads) {
    const name = path.join('.')
    const effect = args !== undefined && effects.includes(name)
    if (onlyEffects ? !effect : args !== undefined && !effect && !tracking.calls.includes(name)) continue
    let owner: unknown
    let current: unknown = context
    for (const name of path) {
      if (typeof current !== 'object' && typeof current !== 'function') break
      if (current === null) break
      owner = current
      current = (current as Record<string, unknown>)[name]
    }
    if (args !== undefined && typeof current === 'function') {
      // A replayed call's result is not needed; a rejection must not surface as unhandled.
      const result = (current as (...args: unknown[]) => unknown).apply(owner, args)
      if (typeof (result as Promise<unknown> | undefined)?.then === 'function') (result as Promise<unknown>).then(undefined, () => {})
    }
  }
}

/**
 * Runs a tracked load through `cache`: `fetcherFor(view)` gets the caller's context seen through
 * a recorder and returns the fetcher; the value is cached with what the fetcher read, and a caller
 * that did not run the fetcher replays those reads on its own context.
 */
export async function withReplayedReads<C extends object, T>(
  context: C,
  tracking: Tracking,
  revalidate: (fetcher: () => Promise<TrackedValue<T>>) => Promise<TrackedValue<T>>,
  fetcherFor: (view: C) => () => T | Promise<T>,
): Promise<T> {
  const recorder = new ReadRecorder(tracking)
  const fetcher = fetcherFor(recorder.view(context, []))
  const stored = await revalidate(async () => ({ value: await fetcher(), reads: recorder.reads }))
  replayReads(context, stored.reads, tracking, stored.reads === recorder.reads)
  return stored.value
}
