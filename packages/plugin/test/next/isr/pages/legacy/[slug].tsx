// Pragma: revalidate 120
import type { GetStaticPaths, GetStaticProps } from 'next'
import { slugs, titleOf } from '../../lib/posts'

export const getStaticPaths: GetStaticPaths = async () => ({
  paths: slugs().map((slug) => ({ params: { slug } })),
  fallback: 'blocking',
})

export const getStaticProps: GetStaticProps<{ title: string }> = async ({ params }) => {
  const title = await titleOf(String(params?.slug), 'legacy')
  if (title === undefined) return { notFound: true }
  return { props: { title } }
}

export default function Legacy({ title }: { title: string }) {
  return <h1 id="title">Legacy {title}</h1>
}
