/**
 * The inspector's token check: `Authorization: Bearer <token>`, or HTTP Basic with the token as
 * the password (any user name), which is what a browser sends once it has asked for it. Compared
 * in constant time: both sides are hashed (SHA-256, so lengths do not show either) and the digests
 * compared byte by byte without stopping at the first difference. The token is never logged,
 * never put in a response, and never kept in any other form than its digest.
 */

/** The shortest token accepted: a guessable one would open the cache to anyone. */
export const MIN_TOKEN_LENGTH = 16

const encoder = new TextEncoder()

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
}

/** Throws a TypeError naming the problem with a token (without its value). */
export function checkToken(caller: string, token: unknown): string {
  if (typeof token === 'string' && token.length >= MIN_TOKEN_LENGTH) return token
  const got = typeof token === 'string' ? `a string of ${token.length} characters` : token === undefined ? 'undefined (is its environment variable set?)' : typeof token
  throw new TypeError(
    `${caller}: token must be a string of at least ${MIN_TOKEN_LENGTH} characters, got ${got}. ` +
      'Use a random one, e.g. crypto.randomUUID(), kept in an environment variable such as REVALIDATE_INSPECTOR_TOKEN.',
  )
}

/** The token a request carries, if any (Bearer, or Basic's password). */
function presented(authorization: string | null): string | undefined {
  if (authorization === null) return undefined
  const [scheme, credentials = ''] = authorization.trim().split(/\s+/, 2)
  if (/^bearer$/i.test(scheme ?? '')) return credentials
  if (!/^basic$/i.test(scheme ?? '')) return undefined
  let decoded: string
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(credentials), (char) => char.charCodeAt(0)))
  } catch {
    return undefined
  }
  const colon = decoded.indexOf(':')
  return colon === -1 ? undefined : decoded.slice(colon + 1)
}

/** A check of requests against one token; its digest is made once. */
export function tokenCheck(token: string): (request: Request) => Promise<boolean> {
  const expected = digest(token)
  return async (request) => {
    const given = presented(request.headers.get('authorization'))
    if (given === undefined) return false
    const [a, b] = await Promise.all([expected, digest(given)])
    let difference = 0
    for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!
    return difference === 0
  }
}
