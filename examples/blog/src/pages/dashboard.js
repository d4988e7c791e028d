// No pragma: the stats are cached by hand with withRevalidate('dashboard:stats', 3600, ...).
import { escape } from '../layout.js'
import { dashboardStats } from '../server/posts.js'

export const title = 'Dashboard'

export async function loader() {
  return { stats: await dashboardStats() }
}

export function render({ stats }) {
  const rows = stats.byCategory.map((row) => `<tr><td>${escape(row.name)}</td><td data-count="${escape(row.name)}">${row.posts}</td></tr>`).join('')
  return `<h1>Dashboard</h1><p><strong data-total-posts>${stats.posts}</strong> posts, last change ${escape(stats.latest ?? 'never')}.</p><table><thead><tr><th>Category</th><th>Posts</th></tr></thead><tbody>${rows}</tbody></table><p class="muted small">Computed at ${escape(stats.computedAt.toISOString())}, cached for an hour and invalidated by every change.</p>`
}
