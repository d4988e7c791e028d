// A function cached with a pragma in a module of the Worker: one headline per id, tagged with it.
let fetches = 0

// Pragma: revalidate 60 tags headlines,headline:{id}
export async function getHeadline(id) {
  await new Promise((resolve) => setTimeout(resolve, 20))
  fetches += 1
  return { id, fetch: fetches }
}
