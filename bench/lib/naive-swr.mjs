// The stale-while-revalidate function people write first, from its description: fresh values
// return, stale values return and refetch, missing values fetch. No single-flight, no fencing.
const entries = new Map()

export async function naiveSwr(key, ttlSeconds, fetcher) {
  const entry = entries.get(key)
  if (entry && Date.now() - entry.storedAt < ttlSeconds * 1000) return entry.value
  if (entry) {
    fetcher().then((value) => entries.set(key, { value, storedAt: Date.now() }), () => {})
    return entry.value
  }
  const value = await fetcher()
  entries.set(key, { value, storedAt: Date.now() })
  return value
}

export function naiveEntries() {
  return entries
}
