export default function About() {
  return <p>No pragma here: a static page without revalidation.</p>
}
