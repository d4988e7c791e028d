/**
 * Calling code we do not own (onEvent, waitUntil, a store's methods): it may throw, return a
 * rejected promise, or return nothing at all. None of that may fail a request or leave a rejection
 * unhandled.
 */

export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function'
}

/** Runs `hook`; a throw or a rejection goes to `onError`, a plain return value is ignored. */
export function callSafely(hook: () => unknown, onError: (error: unknown) => void): void {
  try {
    const result = hook()
    if (isPromise(result)) result.then(undefined, onError)
  } catch (error) {
    onError(error)
  }
}

/** An error named `name`, as a DOMException where the platform has one (what `fetch` rejects with). */
function namedError(message: string, name: 'TimeoutError' | 'AbortError'): Error {
  if (typeof DOMException === 'function') return new DOMException(message, name)
  return Object.assign(new Error(message), { name })
}

/** What a miss that took longer than its `timeoutSeconds` rejects with. */
export function timeoutError(message: string): Error {
  return namedError(message, 'TimeoutError')
}

/** The reason a fetcher's signal is aborted with when an invalidation fences its fetch. */
export function abortError(message: string): Error {
  return namedError(message, 'AbortError')
}
