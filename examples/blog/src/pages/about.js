// A page with no data at all: the baseline the serving benchmark compares pragma pages with.
export const title = 'About'

export async function loader() {
  return {}
}

export function render() {
  return '<h1>About</h1><p>A blog that shows stale-while-revalidate caching of page data: every page says whether its data was a HIT, STALE or MISS.</p>'
}
