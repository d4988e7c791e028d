// The data source of the fixture Worker: every query returns the next edition, and says which
// Worker (location) ran it.
let edition = 0
let location = 'unnamed'

export function setLocation(name) {
  location = name
}

export async function nextEdition() {
  await new Promise((resolve) => setTimeout(resolve, 20))
  edition += 1
  return { edition, fetchedIn: location }
}
