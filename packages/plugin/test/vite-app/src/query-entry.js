// Imports a page with a query on its id, as React Router's build asks for its client route
// modules (`route.tsx?__react-router-build-client-route`): the `#` pragma must still be compiled.
import { loader } from './routes/posts/[slug].js?__react-router-build-client-route'
export { queries } from './db.js'

export async function render(slug) {
  const { post } = await loader({ params: { slug }, request: new Request(`http://localhost/posts/${slug}`) })
  return `<h1>${post.title}</h1>`
}
