// What the pages render and what the tests drive, in the server's memory: post titles (renamed
// behind the cache's back), renders counted per page, and gates that hold a render mid-way.
const titles = new Map([
  ['hello', 'Hello'],
  ['world', 'World'],
])
const renders: Record<string, number> = {}
/** Slugs whose renders wait: polled, since workerd will not resume one request from another's promise. */
const closedGates = new Set<string>()
/** How long a render's data takes, so that concurrent requests overlap one render. */
const RENDER_MS = Number(process.env.RENDER_MS ?? 100)

/** Counts a render of `page`; returns its number, which the page shows, so each render's body is its own. */
export function countRender(page: string): number {
  renders[page] = (renders[page] ?? 0) + 1
  return renders[page]
}

export function renderCounts(): Record<string, number> {
  return renders
}

/** The post's title, read at once; the render then waits for its gate (if closed) and RENDER_MS. */
export async function loadTitle(slug: string): Promise<string> {
  const title = titles.get(slug) ?? slug
  while (closedGates.has(slug)) await sleep(10)
  await sleep(RENDER_MS)
  return title
}

export function rename(slug: string, title: string): void {
  titles.set(slug, title)
}

export function closeGate(slug: string): void {
  closedGates.add(slug)
}

export function openGate(slug: string): void {
  closedGates.delete(slug)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
