// Pragma: revalidate 2
// Below a dynamic segment, with no generateStaticParams: Next.js would render it on every request.
export default async function Post({ params }) {
  const { slug } = await params
  const title = await Promise.resolve(slug.toUpperCase())
  return <h1>Post {title}</h1>
}
