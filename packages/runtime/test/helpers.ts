import type { CacheEvent, CacheStore, MemoryStore } from '../src/index.js'

/** A clock tests move by hand, in seconds, so no test sleeps through a ttl. */
export function manualClock(startMs = 1_700_000_000_000) {
  let nowMs = startMs
  return {
    now: () => nowMs,
    advance(seconds: number) {
      nowMs += seconds * 1000
    },
  }
}

export interface Deferred<T> {
  promise: Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A fetcher that counts its calls and answers with `answer(callNumber)`. */
export function countingFetcher<T>(answer: (call: number) => T | Promise<T>) {
  const fetcher = Object.assign(
    () => {
      fetcher.calls += 1
      return answer(fetcher.calls)
    },
    { calls: 0 },
  )
  return fetcher
}

/** Collects onEvent events; `types()` lists them in order, for assertions on what happened. */
export function eventLog() {
  const events: CacheEvent[] = []
  return {
    events,
    onEvent: (event: CacheEvent) => events.push(event),
    types: () => events.map((event) => event.type),
  }
}

/** Retries `check` until it stops throwing: background work on a remote store takes round trips. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await check()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
}

/** Lets already-settled promise chains run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/** A store over `memory` with the capabilities a test adds (a lock, a subscription, lockSeconds). */
export function storeOver(memory: MemoryStore, capabilities: Partial<CacheStore> = {}): CacheStore {
  return {
    get: (key) => memory.get(key),
    set: (key, entry) => memory.set(key, entry),
    delete: (key) => memory.delete(key),
    deleteTag: (tag) => memory.deleteTag(tag),
    clear: () => memory.clear(),
    ...capabilities,
  }
}
