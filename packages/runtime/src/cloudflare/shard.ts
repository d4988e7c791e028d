/**
 * Which of `shards` buckets a string falls in: FNV-1a over its UTF-16 code units. Stable across
 * isolates, deploys and locations, so every isolate sends a key to the same coordinator object
 * and the same tag marker.
 */
export function shardOf(text: string, shards: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % shards
}
