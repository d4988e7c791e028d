// Counts how often each page loads its data.
const editions = new Map()

export async function nextEdition(page) {
  editions.set(page, (editions.get(page) ?? 0) + 1)
  return editions.get(page)
}
