// Pragma: revalidate 60
import { titleOf } from '../../../lib/posts'

export default async function Guide({ params }: { params: Promise<{ topic: string }> }) {
  const { topic } = await params
  return <h1 id="title">Guide {await titleOf(topic, 'guide')}</h1>
}
