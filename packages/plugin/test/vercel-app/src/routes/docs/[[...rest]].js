# Pragma: revalidate 120
export async function loader({ params }) {
  return { page: params.rest ?? '(index)' }
}

export const render = ({ page }) => `<p>Docs: ${page}</p>`
