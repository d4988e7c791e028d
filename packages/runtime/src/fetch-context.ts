/**
 * Which fetches the running code is part of, so that a fetcher that asks the cache for its own key
 * is told so instead of waiting for itself:
 *
 *   withRevalidate('K', 60, async () => 1 + (await withRevalidate('K', 60, f)))
 *   -> the inner call rejects: TypeError, the fetcher of "K" called withRevalidate("K") itself
 *
 * Joined, the inner call would wait for the very fetch that waits for it (on Redis, for its own
 * lock). Every fetcher runs in a frame naming its cache and key, whose parent is the frame it was
 * called from, so a cycle through other keys (K's fetcher asks for L, whose fetcher asks for K) is
 * seen too. Where `node:async_hooks` exists (Node, Bun, Deno, workerd with nodejs_compat) the frame
 * follows the fetcher through its awaits (AsyncLocalStorage); elsewhere (browsers, workerd without
 * it) only the fetcher's synchronous part, up to its first `await`, is seen.
 */
import { isPromise } from './hooks.js'

export interface FetchFrame {
  /** The cache whose fetch this is: another cache's fetch of the same key never waits for this one. */
  readonly owner: object
  readonly key: string
  readonly parent: FetchFrame | undefined
  /** The fetcher has settled: work it left running may ask for its key again. */
  done: boolean
}

export interface AsyncLocalStorageLike<T> {
  run<R>(store: T, callback: () => R): R
  getStore(): T | undefined
}

type AsyncLocalStorageClass = new <T>() => AsyncLocalStorageLike<T>

/** Node's AsyncLocalStorage, reached without an import a browser bundle would have to resolve. */
function asyncLocalStorage(): AsyncLocalStorageLike<FetchFrame> | undefined {
  const host = globalThis as { process?: { getBuiltinModule?(id: string): unknown }; AsyncLocalStorage?: AsyncLocalStorageClass }
  let hooks: { AsyncLocalStorage?: AsyncLocalStorageClass } | undefined
  try {
    hooks = host.process?.getBuiltinModule?.('node:async_hooks') as typeof hooks
  } catch {
    hooks = undefined // a runtime that has the function but not the module
  }
  const AsyncLocalStorage = hooks?.AsyncLocalStorage ?? host.AsyncLocalStorage
  return AsyncLocalStorage === undefined ? undefined : new AsyncLocalStorage<FetchFrame>()
}

/** The frames of the fetches running now, through `storage` when there is one. */
export class FetchFrames {
  readonly #storage: AsyncLocalStorageLike<FetchFrame> | undefined
  /** Without AsyncLocalStorage: the frame of the fetcher whose synchronous part runs now. */
  #synchronous: FetchFrame | undefined

  /** `null`: no AsyncLocalStorage (as in a browser), for tests of that path. */
  constructor(storage: AsyncLocalStorageLike<FetchFrame> | null = asyncLocalStorage() ?? null) {
    this.#storage = storage ?? undefined
  }

  #current(): FetchFrame | undefined {
    return this.#storage === undefined ? this.#synchronous : this.#storage.getStore()
  }

  /** Calls `fetcher` in a frame of `owner`'s fetch of `key`. */
  run<T>(owner: object, key: string, fetcher: () => T): T {
    const frame: FetchFrame = { owner, key, parent: this.#current(), done: false }
    const end = () => {
      frame.done = true
    }
    const outer = this.#synchronous
    this.#synchronous = frame
    try {
      const result = this.#storage === undefined ? fetcher() : this.#storage.run(frame, fetcher)
      if (isPromise(result)) result.then(end, end)
      else end()
      return result
    } catch (error) {
      end()
      throw error
    } finally {
      this.#synchronous = outer
    }
  }

  /** Whether the running code is part of a fetch of `key` by `owner` that has not settled. */
  inside(owner: object, key: string): boolean {
    for (let frame = this.#current(); frame !== undefined; frame = frame.parent) {
      if (!frame.done && frame.owner === owner && frame.key === key) return true
    }
    return false
  }
}

export const fetchFrames = new FetchFrames()
