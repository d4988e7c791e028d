// Pragma: revalidate 60
import { notFound } from 'next/navigation'
import { slugs, titleOf } from '../../../lib/posts'

export function generateStaticParams() {
  return slugs().map((slug) => ({ slug }))
}

export default async function Post({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  const title = await titleOf(slug, 'post')
  if (title === undefined) notFound()
  return <h1 id="title">Post {title}</h1>
}
