// Pragma: revalidate 5m
export default async function Widget() {
  const response = await fetch('/api/weather')
  const weather = await response.json()
  return `<p>${weather.summary}</p>`
}
