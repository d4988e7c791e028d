/**
 * What `invalidateTag` and `invalidateAll` leave in one location's Workers Cache API, which cannot
 * list the entries they reach: a marker with the time, and an entry written before a marker it is
 * subject to is a miss.
 *
 *   <base>m/all     when invalidateAll last ran in this location
 *   <base>m/t3      when invalidateTag last ran here for any tag of shard 3 (of TAG_SHARDS)
 *
 * Tags share TAG_SHARDS markers, so checking an entry costs at most 1 + TAG_SHARDS Cache API calls
 * however many tags it has (Workers allow 50 Cache API calls per request on the Free and Bundled
 * plans). The price: invalidating a tag also invalidates, in the Cache API, entries whose tags
 * share its shard, a miss too many and never one too few. Markers are only ever overwritten with
 * "now", so two isolates invalidating at once cannot lose each other's write. This isolate trusts
 * a marker it read for `syncMs`, and keeps at most 1 + TAG_SHARDS of them.
 */
import { shardOf } from './shard.js'

export const TAG_SHARDS = 8
/** Markers outlive any entry they may invalidate. */
const MARKER_MAX_AGE_SECONDS = 365 * 86_400

interface Marker {
  at: number
  readAt: number
}

export class LocationMarkers {
  readonly #open: () => Promise<Cache>
  readonly #base: string
  readonly #syncMs: number
  readonly #known = new Map<string, Marker>()

  constructor(options: { open: () => Promise<Cache>; base: string; syncMs: number }) {
    this.#open = options.open
    this.#base = options.base
    this.#syncMs = options.syncMs
  }

  /** Whether an entry written at `writtenAt` with `tags` was invalidated in this location since. */
  async invalidatedSince(writtenAt: number, tags: readonly string[]): Promise<boolean> {
    const names = new Set(['all', ...tags.map(tagMarker)])
    const times = await Promise.all([...names].map((name) => this.#markerTime(name)))
    return times.some((at) => at >= writtenAt)
  }

  markTag(tag: string): Promise<void> {
    return this.#write(tagMarker(tag))
  }

  markAll(): Promise<void> {
    return this.#write('all')
  }

  async #markerTime(name: string): Promise<number> {
    const known = this.#known.get(name)
    if (known !== undefined && Date.now() - known.readAt < this.#syncMs) return known.at
    const response = await (await this.#open()).match(this.#url(name))
    const at = Number(response ? await response.text() : 0)
    const marker = { at: Number.isFinite(at) ? at : 0, readAt: Date.now() }
    this.#known.set(name, marker)
    return marker.at
  }

  async #write(name: string): Promise<void> {
    const at = Date.now()
    this.#known.set(name, { at, readAt: at })
    const response = new Response(String(at), { headers: { 'cache-control': `max-age=${MARKER_MAX_AGE_SECONDS}` } })
    await (await this.#open()).put(this.#url(name), response)
  }

  #url(name: string): string {
    return `${this.#base}m/${name}`
  }
}

function tagMarker(tag: string): string {
  return `t${shardOf(tag, TAG_SHARDS)}`
}
