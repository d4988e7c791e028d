// A page with no data at all: the baseline the serving benchmark compares pragma pages with.
export const title = 'About'

export async function loader() {
  return {}
}

export function render() {
  return `<h1>About</h1>
<p>This blog shows stale-while-revalidate caching of page data. The post list, each post and each
category start with one line, <code>// Pragma: revalidate &lt;seconds&gt;</code>, and the build wraps
their data loading so that fresh data comes from the cache, stale data is served at once while one
refresh runs, and missing data is fetched once however many visitors ask for it.</p>
<p>Every page says what happened in the badge at the top right and in the <code>x-revalidate</code>
response header: HIT, STALE or MISS, with the age of the data. Write, edit or delete a post and the
pages that showed it are fetched fresh on the next visit; the others stay cached.</p>
<p>The sidebar lists the latest posts from the browser's own cache and reloads when a post changes,
in this tab and in every other tab of the site.</p>`
}
