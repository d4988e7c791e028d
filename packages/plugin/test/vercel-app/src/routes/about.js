export async function loader() {
  return {}
}

export const render = () => '<p>About: no pragma, no prerender config.</p>'
