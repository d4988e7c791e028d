/**
 * The inspector's page: one HTML document with its style and script inline, no framework, and no
 * request beyond its own origin (its Content-Security-Policy says so too). It reads
 * `<path>/api/state` (filtered by text and tag), listens to `<path>/api/events` (Server-Sent
 * Events), posts invalidations to `<path>/api/invalidate`, and lists this browser's Cache Storage
 * entries of the site itself. Readable at 400 px wide (the tables become cards), usable with the
 * keyboard (every action is a button or a link). Everything shown is put in as text, never as HTML.
 */
import { channelName, DEFAULT_CACHE_NAME, ENTRY_URL } from '../stores/cache-storage-store.js'

export interface PageOptions {
  /** Where the handler is mounted. */
  path: string
  allowInvalidate: boolean
  /** The dev server's: links to the source through Vite's `/__open-in-editor`. */
  dev: boolean
  /** Allows the page's own inline style and script only. */
  nonce: string
}

/** The page's Content-Security-Policy: its own inline code, requests to its own origin only. */
export function pagePolicy(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`
}

export function inspectorPage(options: PageOptions): string {
  const config = {
    path: options.path,
    allowInvalidate: options.allowInvalidate,
    dev: options.dev,
    cacheStorage: { cacheName: DEFAULT_CACHE_NAME, entryUrl: ENTRY_URL, channel: channelName(DEFAULT_CACHE_NAME) },
  }
  // JSON inside a script element: `<` escaped, so no value can close the element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>revalidate inspector</title>
<style nonce="${options.nonce}">${STYLE}</style>
</head>
<body>
<header class="top">
  <h1><span class="brand">revalidate</span> inspector</h1>
  <p class="mode" id="mode"></p>
  <p class="live" id="live" role="status">connecting…</p>
</header>
<main>
  <form class="filters" id="filters" role="search">
    <label>Key contains <input id="q" type="search" placeholder="page:/posts" autocomplete="off" spellcheck="false"></label>
    <label>Tag <select id="tag"><option value="">any tag</option></select></label>
    <span class="actions">
      <button type="button" id="refresh">Refresh</button>
      <button type="button" id="invalidate-all" class="danger">Invalidate everything</button>
    </span>
  </form>
  <p class="notice" id="notice" role="alert" hidden></p>
  <div id="caches"><p class="muted">Loading…</p></div>
  <section class="cache" id="browser" hidden>
    <div class="cache-head"><h2>This browser <small>Cache Storage “${DEFAULT_CACHE_NAME}” of this site</small></h2></div>
    <div id="browser-entries"></div>
  </section>
  <section class="events">
    <div class="events-head"><h2>Events</h2><button type="button" id="pause" aria-pressed="false">Pause</button><button type="button" id="clear">Clear</button></div>
    <ol id="events" role="log" aria-live="polite"><li class="muted" id="no-events">Nothing yet: load a page of the app.</li></ol>
  </section>
</main>
<script nonce="${options.nonce}">const CONFIG = ${json};
${SCRIPT}</script>
</body>
</html>`
}

const STYLE = `
:root { color-scheme: light dark; --bg: #f7f7f5; --panel: #fff; --ink: #1d1f21; --muted: #6b7075; --line: #e3e3df;
  --fresh: #1f7a4d; --fresh-bg: #e3f4ea; --stale: #8a5a00; --stale-bg: #fdf0d5; --expired: #8f1d1d; --expired-bg: #fbe3e3; --accent: #2f5bd3; }
@media (prefers-color-scheme: dark) { :root { --bg: #16181a; --panel: #1e2124; --ink: #e8e8e6; --muted: #9aa0a6; --line: #33373b;
  --fresh: #7fd6a5; --fresh-bg: #1d3a2b; --stale: #f0c36b; --stale-bg: #3d3018; --expired: #f19a9a; --expired-bg: #452224; --accent: #8fb0ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--ink); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding: 14px 20px; border-bottom: 1px solid var(--line); background: var(--panel); }
h1 { margin: 0; font-size: 18px; font-weight: 600; } .brand { color: var(--accent); }
.mode, .live { margin: 0; color: var(--muted); } .live { margin-left: auto; } .live.on::before { content: "●"; color: var(--fresh); margin-right: 6px; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 20px 40px; }
.filters { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: end; margin-bottom: 16px; }
.filters label { display: flex; flex-direction: column; gap: 4px; color: var(--muted); font-size: 12px; }
input, select, button { font: inherit; color: inherit; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
input[type=search] { min-width: 240px; } .actions { display: flex; gap: 8px; margin-left: auto; }
button { cursor: pointer; } button:hover { border-color: var(--muted); } button.danger { color: var(--expired); }
button.link { border: 0; padding: 0; background: none; color: var(--accent); } button[disabled] { opacity: .5; cursor: default; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.notice { padding: 8px 12px; border-radius: 6px; background: var(--stale-bg); color: var(--stale); }
.cache { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; margin-bottom: 18px; overflow: hidden; }
.cache-head { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; padding: 12px 16px; border-bottom: 1px solid var(--line); }
h2 { margin: 0; font-size: 15px; font-weight: 600; } h2 small { color: var(--muted); font-weight: 400; margin-left: 6px; }
.stats { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0; }
.stats div { display: flex; gap: 6px; align-items: baseline; } .stats dt { color: var(--muted); font-size: 12px; } .stats dd { margin: 0; font-variant-numeric: tabular-nums; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: 500; font-size: 12px; color: var(--muted); padding: 8px 12px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td { padding: 8px 12px; border-bottom: 1px solid var(--line); vertical-align: top; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.key, td[data-field="fetch"], td[data-field="tags"] { white-space: normal; }
tr:last-child td { border-bottom: 0; }
td.key { max-width: 420px; overflow-wrap: anywhere; } td.key .name { font-weight: 600; font-size: 13px; } .sub { display: block; color: var(--muted); font-size: 12px; margin-top: 2px; }
a { color: var(--accent); text-underline-offset: 2px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 500; }
.badge.fresh { color: var(--fresh); background: var(--fresh-bg); } .badge.stale { color: var(--stale); background: var(--stale-bg); } .badge.expired { color: var(--expired); background: var(--expired-bg); }
.tag { display: inline-flex; gap: 2px; margin: 0 4px 4px 0; border: 1px solid var(--line); border-radius: 999px; padding: 0 4px 0 8px; font-size: 12px; }
.tag button { border: 0; padding: 0 4px; background: none; color: var(--muted); font-size: 12px; }
.error { color: var(--expired); overflow-wrap: anywhere; } .muted { color: var(--muted); } .empty { padding: 14px 16px; margin: 0; color: var(--muted); }
.events { margin-top: 24px; } .events-head { display: flex; gap: 10px; align-items: center; margin-bottom: 8px; } .events-head h2 { margin-right: auto; }
#events { list-style: none; margin: 0; padding: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; max-height: 360px; overflow: auto; }
#events li { display: grid; grid-template-columns: 72px 86px 1fr; gap: 8px; padding: 5px 12px; border-bottom: 1px solid var(--line); }
#events li:last-child { border-bottom: 0; } #events li.muted { display: block; }
.type { font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.type.hit, .type.refresh { color: var(--fresh); } .type.stale { color: var(--stale); } .type.miss, .type.invalidate { color: var(--accent); } .type.error, .type.dropped { color: var(--expired); }
@media (max-width: 720px) {
  .top, main { padding-left: 12px; padding-right: 12px; } .live { margin-left: 0; width: 100%; } .actions { margin-left: 0; } input[type=search] { min-width: 0; width: 100%; } .filters label { flex: 1 1 160px; }
  table, tbody, tr, td { display: block; } thead { display: none; }
  tr { padding: 8px 4px; border-bottom: 1px solid var(--line); } tr:last-child { border-bottom: 0; }
  td { display: flex; gap: 12px; padding: 3px 12px; border: 0; } td.key { display: block; max-width: none; padding-bottom: 6px; }
  td[data-label]::before { content: attr(data-label); flex: 0 0 92px; color: var(--muted); font-size: 12px; font-weight: 400; }
  #events li { grid-template-columns: 64px 1fr; } #events li .what { grid-column: 1 / -1; }
}`

/** The page's script: plain browser JavaScript (it runs as it is written here). */
const SCRIPT = String.raw`
const base = CONFIG.path.replace(/\/$/, '')
const $ = (id) => document.getElementById(id)
/** An element with attributes (on* are listeners) and children (strings become text). */
function h(tag, attributes, ...children) {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === false) continue
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value)
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) element.append(child instanceof Node ? child : String(child))
  return element
}
const duration = (ms) => {
  const s = Math.max(0, ms) / 1000
  if (s < 1) return Math.round(ms) + ' ms'
  if (s < 90) return Math.round(s) + ' s'
  if (s < 5400) return Math.round(s / 60) + ' min'
  if (s < 129600) return Math.round(s / 3600) + ' h'
  return Math.round(s / 86400) + ' d'
}
/** An entry's age: under a second is "now", not a number of milliseconds. */
const age = (ms) => (ms < 1000 ? '< 1 s' : duration(ms))
const bytes = (n) => n === undefined ? '—' : n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KB' : (n / 1048576).toFixed(1) + ' MB'
const ago = (at) => duration(Date.now() - at) + ' ago'
const clock = (at) => new Date(at).toLocaleTimeString([], { hour12: false })

$('mode').textContent = (CONFIG.dev ? 'dev server' : 'production') + ' · ' + (CONFIG.allowInvalidate ? 'invalidation allowed' : 'read-only')
if (!CONFIG.allowInvalidate) $('invalidate-all').hidden = true

function notice(text) {
  $('notice').textContent = text
  $('notice').hidden = !text
}

let knownTags = new Set()
function updateTags(tags) {
  for (const tag of tags) knownTags.add(tag)
  const select = $('tag')
  const chosen = select.value
  select.replaceChildren(h('option', { value: '' }, 'any tag'), ...[...knownTags].sort().map((tag) => h('option', { value: tag }, tag)))
  select.value = chosen
}

async function invalidate(cache, what) {
  const label = what.all ? 'everything' + (cache ? ' in ' + cache : '') : what.tag !== undefined ? 'tag ' + what.tag : what.key
  if (what.all && !confirm('Invalidate ' + label + '?')) return
  const response = await fetch(base + '/api/invalidate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cache, ...what }) })
  const answer = await response.json().catch(() => ({}))
  notice(response.ok ? '' : answer.error ?? 'The invalidation failed (' + response.status + ')')
  await load()
}

function openInEditor(event) {
  event.preventDefault()
  fetch(event.currentTarget.getAttribute('href')).catch(() => {})
}

/** A compiled page's file (linked to the editor in dev), route and pragma, under its key. */
function pageLines(page) {
  if (!page) return []
  const where = page.file + ':' + page.line
  const source = CONFIG.dev ? h('a', { href: '/__open-in-editor?file=' + encodeURIComponent(where), onclick: openInEditor, title: 'Open in your editor', 'data-field': 'source' }, where) : where
  return [h('span', { class: 'sub' }, source, ' · route ', h('code', {}, page.route)), h('span', { class: 'sub mono', 'data-field': 'pragma' }, page.pragma)]
}

function tagChips(cache, tags, local) {
  return tags.map((tag) =>
    h('span', { class: 'tag' }, h('button', { type: 'button', class: 'link', title: 'Show the entries of this tag', onclick: () => { $('tag').value = tag; load() } }, tag),
      CONFIG.allowInvalidate && !local ? h('button', { type: 'button', title: 'Invalidate tag ' + tag, 'aria-label': 'Invalidate tag ' + tag, onclick: () => invalidate(cache, { tag }) }, '×') : undefined))
}

function entryRow(cache, entry) {
  const fetch = entry.lastFetch
  return h('tr', { 'data-key': entry.key, 'data-state': entry.state },
    h('td', { class: 'key' }, h('code', { class: 'name' }, entry.key), pageLines(entry.page), entry.version ? h('span', { class: 'sub mono', 'data-field': 'version' }, 'version ' + entry.version) : undefined),
    h('td', { 'data-label': 'State' }, h('span', { class: 'badge ' + entry.state, 'data-field': 'state' }, entry.state)),
    h('td', { 'data-label': 'Age', 'data-field': 'age' }, age(entry.ageMs)),
    h('td', { 'data-label': 'TTL', 'data-field': 'ttl' }, duration(entry.ttlMs)),
    h('td', { 'data-label': 'Stale window', 'data-field': 'stale' }, duration(entry.staleMs)),
    h('td', { 'data-label': 'Tags', 'data-field': 'tags' }, entry.tags.length ? tagChips(cache, entry.tags) : h('span', { class: 'muted' }, '—')),
    h('td', { 'data-label': 'Size', 'data-field': 'size' }, bytes(entry.bytes)),
    h('td', { 'data-label': 'Hits', 'data-field': 'hits', title: entry.lookupsEstimated ? 'estimated (sampled)' : 'lookups since the server started' }, entry.lookups === undefined ? '—' : (entry.lookupsEstimated ? '≈' : '') + entry.lookups),
    h('td', { 'data-label': 'Last fetch', 'data-field': 'fetch' }, fetch ? duration(fetch.ms) + ' (' + fetch.reason + ', ' + ago(fetch.at) + ')' : h('span', { class: 'muted' }, '—'),
      fetch && fetch.error ? h('span', { class: 'sub error', 'data-field': 'error' }, fetch.error) : undefined),
    h('td', { 'data-label': '' }, CONFIG.allowInvalidate ? h('button', { type: 'button', 'data-action': 'invalidate', 'aria-label': 'Invalidate ' + entry.key, onclick: () => invalidate(cache, { key: entry.key }) }, 'Invalidate') : undefined))
}

const HEADINGS = ['Key', 'State', 'Age', 'TTL', 'Stale window', 'Tags', 'Size', 'Hits', 'Last fetch', '']
const table = (rows) => h('table', {}, h('thead', {}, h('tr', {}, HEADINGS.map((name) => h('th', { scope: 'col' }, name)))), h('tbody', {}, rows))

function statsList(stats) {
  const lookups = stats.lookups.hit + stats.lookups.stale + stats.lookups.miss
  const served = stats.lookups.hit + stats.lookups.stale
  const item = (name, value) => h('div', {}, h('dt', {}, name), h('dd', {}, value))
  const errors = stats.errors.miss + stats.errors.refresh + stats.errors.store + stats.errors.hook
  const invalidations = stats.invalidations.key + stats.invalidations.tag + stats.invalidations.all
  return h('dl', { class: 'stats' },
    item('served from cache', lookups ? Math.round((served / lookups) * 100) + '%' : '—'),
    item('lookups', lookups + ' (' + stats.lookups.hit + ' hit · ' + stats.lookups.stale + ' stale · ' + stats.lookups.miss + ' miss)'),
    item('fetches', String(stats.fetches.miss + stats.fetches.refresh)),
    item('errors', String(errors)),
    item('invalidations', String(invalidations)),
    stats.memory ? item('in memory', stats.memory.entries + ' entries' + (stats.memory.bytes !== undefined ? ' · ' + bytes(stats.memory.bytes) : '')) : undefined)
}

function cacheSection(cache) {
  updateTags(cache.entries.flatMap((entry) => entry.tags))
  const body = !cache.listable ? h('p', { class: 'empty' }, 'This store cannot list its entries.')
    : cache.error ? h('p', { class: 'empty error' }, cache.error)
    : cache.entries.length === 0 ? h('p', { class: 'empty' }, $('q').value || $('tag').value ? 'No entry matches.' : 'No entries.')
    : table([...cache.entries].sort((a, b) => (a.key < b.key ? -1 : 1)).map((entry) => entryRow(cache.name, entry)))
  const more = cache.truncated ? h('p', { class: 'empty' }, 'Showing ' + cache.entries.length + ' of more; filter to narrow down.') : undefined
  return h('section', { class: 'cache', 'data-cache': cache.name, 'aria-label': 'Cache ' + cache.name },
    h('div', { class: 'cache-head' }, h('h2', {}, cache.name, h('small', {}, cache.store + ' store')), statsList(cache.stats),
      CONFIG.allowInvalidate ? h('button', { type: 'button', class: 'danger', onclick: () => invalidate(cache.name, { all: true }) }, 'Invalidate all of ' + cache.name) : undefined),
    body, more)
}

let loading
async function load() {
  const query = new URLSearchParams()
  if ($('q').value) query.set('q', $('q').value)
  if ($('tag').value) query.set('tag', $('tag').value)
  const request = (loading = fetch(base + '/api/state?' + query, { cache: 'no-store' }))
  const response = await request
  if (request !== loading) return // a newer load began meanwhile
  if (!response.ok) return notice('The inspector answered ' + response.status + '.')
  const state = await response.json()
  $('caches').replaceChildren(...(state.caches.length ? state.caches.map(cacheSection) : [h('p', { class: 'muted' }, 'No cache has been made in this process yet: load a page of the app, then refresh.')]))
  await listBrowserCache()
}

async function listBrowserCache() {
  if (!('caches' in window)) return
  const { cacheName, entryUrl, channel } = CONFIG.cacheStorage
  if (!(await caches.has(cacheName))) return
  const cache = await caches.open(cacheName)
  const requests = (await cache.keys()).filter((request) => request.url.startsWith(entryUrl))
  const rows = []
  for (const request of requests) {
    const text = await (await cache.match(request))?.text()
    let envelope
    try { envelope = JSON.parse(text) } catch { continue }
    let key
    try { key = decodeURIComponent(request.url.slice(entryUrl.length)) } catch { continue }
    const ageMs = Date.now() - envelope.storedAt
    const state = ageMs < envelope.ttlMs ? 'fresh' : ageMs < envelope.ttlMs + envelope.staleMs ? 'stale' : 'expired'
    const remove = async () => {
      await cache.delete(request)
      // The site's open tabs drop their memory copy, as when one of them invalidates.
      const broadcast = new BroadcastChannel(channel)
      broadcast.postMessage({ kind: 'key', key, at: Date.now(), from: 'inspector' })
      broadcast.close()
      await listBrowserCache()
    }
    rows.push(h('tr', { 'data-key': key, 'data-state': state },
      h('td', { class: 'key' }, h('code', { class: 'name' }, key), envelope.version ? h('span', { class: 'sub mono' }, 'version ' + envelope.version) : undefined),
      h('td', { 'data-label': 'State' }, h('span', { class: 'badge ' + state }, state)),
      h('td', { 'data-label': 'Age' }, age(ageMs)),
      h('td', { 'data-label': 'TTL' }, duration(envelope.ttlMs)),
      h('td', { 'data-label': 'Stale window' }, duration(envelope.staleMs)),
      h('td', { 'data-label': 'Tags' }, envelope.tags?.length ? envelope.tags.map((tag) => h('span', { class: 'tag' }, tag)) : h('span', { class: 'muted' }, '—')),
      h('td', { 'data-label': 'Size' }, bytes(new TextEncoder().encode(text).length)),
      h('td', { 'data-label': 'Hits' }, h('span', { class: 'muted' }, '—')),
      h('td', { 'data-label': 'Last fetch' }, h('span', { class: 'muted' }, '—')),
      h('td', { 'data-label': '' }, CONFIG.allowInvalidate ? h('button', { type: 'button', 'aria-label': 'Remove ' + key + ' from this browser', onclick: remove }, 'Invalidate') : undefined)))
  }
  $('browser').hidden = false
  $('browser-entries').replaceChildren(rows.length ? table(rows) : h('p', { class: 'empty' }, 'No entries in this browser.'))
}

let paused = false
let reloadTimer
const RELOAD_MS = CONFIG.dev ? 400 : 5000
function showEvent(event) {
  // Entries changed (a hit changes none): list them again, at most every RELOAD_MS, so a busy
  // production store is not read again for every miss.
  if (event.type !== 'hit' && event.type !== 'stale' && reloadTimer === undefined) {
    reloadTimer = setTimeout(() => { reloadTimer = undefined; load() }, RELOAD_MS)
  }
  if (paused) return
  $('no-events')?.remove()
  const what = event.type === 'dropped' ? event.count + ' more events (the list shows at most 200 a second)'
    : event.type === 'invalidate' ? (event.all ? 'everything' : event.tag !== undefined ? 'tag ' + event.tag : event.key) + (event.remote ? ' (another instance)' : '')
    : (event.key ?? '') + (event.ageMs !== undefined ? ' · age ' + duration(event.ageMs) : '') + (event.joined ? ' · joined a fetch' : '') + (event.error ? ' · ' + event.phase + ': ' + event.error : '')
  const list = $('events')
  list.prepend(h('li', { 'data-type': event.type }, h('time', { class: 'muted mono' }, clock(event.at)), h('span', { class: 'type ' + event.type }, event.type), h('span', { class: 'what mono' }, what)))
  while (list.children.length > 200) list.lastElementChild.remove()
}

function listen() {
  const source = new EventSource(base + '/api/events')
  source.onopen = () => { $('live').textContent = 'live'; $('live').classList.add('on') }
  source.onerror = () => { $('live').textContent = 'reconnecting…'; $('live').classList.remove('on') }
  source.onmessage = (message) => showEvent(JSON.parse(message.data))
}

let typing
$('q').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(load, 200) })
$('tag').addEventListener('change', load)
$('filters').addEventListener('submit', (event) => { event.preventDefault(); load() })
$('refresh').addEventListener('click', load)
$('invalidate-all').addEventListener('click', () => invalidate(undefined, { all: true }))
$('pause').addEventListener('click', () => { paused = !paused; $('pause').setAttribute('aria-pressed', String(paused)); $('pause').textContent = paused ? 'Resume' : 'Pause' })
$('clear').addEventListener('click', () => $('events').replaceChildren())
load()
listen()
`
