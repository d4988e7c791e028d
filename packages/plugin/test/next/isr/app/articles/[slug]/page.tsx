// Pragma: revalidate 60
// A page below a dynamic segment: Next caches it only with generateStaticParams (the compiler
// refuses the pragma without one); [] renders each path on its first request, then caches it.
import { notFound } from 'next/navigation'
import { titleOf } from '../../../lib/posts'

export async function generateStaticParams() {
  return []
}

export default async function Article({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  const title = await titleOf(slug, 'article')
  if (title === undefined) notFound()
  return <h1 id="title">Article {title}</h1>
}
