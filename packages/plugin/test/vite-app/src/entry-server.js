import { loader } from './routes/posts/[slug].js'
export { queries } from './db.js'

export async function render(slug) {
  const { post } = await loader({ params: { slug }, request: new Request(`http://localhost/posts/${slug}`) })
  return `<h1>${post.title}</h1>`
}
