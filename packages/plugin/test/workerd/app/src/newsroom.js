// The data source of the fixture Worker: every query returns the next edition.
let edition = 0

export async function nextEdition() {
  await new Promise((resolve) => setTimeout(resolve, 20))
  edition += 1
  return edition
}
