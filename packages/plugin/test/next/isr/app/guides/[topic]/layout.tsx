// The layout lists the topics: Next asks it for the params of the page below, which has the pragma only.
import { slugs } from '../../../lib/posts'

export function generateStaticParams() {
  return slugs().map((topic) => ({ topic }))
}

export default function GuideLayout({ children }: { children: React.ReactNode }) {
  return <section>{children}</section>
}
