import { readTitle, recordCall } from '../../lib/db.js'

export const revalidate = 3600

export default async function Isr() {
  recordCall('isr')
  return <p id="title">isr={readTitle()}</p>
}
