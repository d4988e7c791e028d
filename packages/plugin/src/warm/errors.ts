/**
 * A problem the user can fix (a bad option, a missing manifest, a malformed sitemap, a site that
 * cannot be reached), said in one line: the command prints it, without a stack, and exits with
 * its code: 2 for usage and input, 1 for the site.
 */
export class WarmError extends Error {
  override name = 'WarmError'

  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message)
  }
}

/** An error's own words, for a one-line message: a network error's cause says more than "fetch failed". */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause
  if (error.message === 'fetch failed' && cause instanceof Error) return cause.message
  return error.message
}
