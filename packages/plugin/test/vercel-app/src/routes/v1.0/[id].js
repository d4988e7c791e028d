export async function loader({ params }) {
  return { id: params.id }
}

export const render = ({ id }) => `<p>API v1.0, item ${id}</p>`
