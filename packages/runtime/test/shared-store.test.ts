// The shared tier (shared-store.ts) on its own, over the smallest driver there is: a remote side
// that is a Map of serialized entries, shared by the instances of one test, which tell each other
// about invalidations and fills as Redis's pub/sub or a BroadcastChannel would. Its reads and
// writes can be held, to put an invalidation in the middle of them.
import { describe, expect, it } from 'vitest'
import type { CacheEntry, Invalidation } from '../src/index.js'
import { readInstanceMessage, repeats, type InstanceMessage } from '../src/invalidation.js'
import { deserializeEntry, utf8Bytes } from '../src/serialize.js'
import { SharedStore, type RemoteEntry, type SharedStoreOptions, type WriteOutcome } from '../src/stores/shared-store.js'
import { deferred, type Deferred } from './helpers.js'
import { describeStoreSemantics } from './semantics.js'

/** What the instances of one test share: the remote entries, and a bus every instance hears. */
function remoteSide() {
  return { entries: new Map<string, string>(), instances: new Set<InProcessStore>() }
}

class InProcessStore extends SharedStore {
  readonly kind = 'in-process'
  readonly #remote: ReturnType<typeof remoteSide>
  readonly #id = Symbol('instance')
  /** Set by a test: the next remote read (or write) waits for it. */
  holdRead: Deferred<void> | undefined
  holdWrite: Deferred<void> | undefined

  constructor(remote: ReturnType<typeof remoteSide>, options: SharedStoreOptions = {}) {
    super('inProcessStore', options, { maxEntries: 100, maxMemoryBytes: 1024 * 1024 })
    this.#remote = remote
    remote.instances.add(this)
  }

  protected servesFromMemory(): boolean {
    return true
  }

  protected async readRemote(key: string): Promise<RemoteEntry | undefined> {
    const text = this.#remote.entries.get(key)
    const hold = this.holdRead
    this.holdRead = undefined
    await hold?.promise
    const entry = deserializeEntry(text)
    return entry === undefined ? undefined : { entry, bytes: utf8Bytes(text!) }
  }

  protected async writeRemote(key: string, _entry: CacheEntry, text: string): Promise<WriteOutcome> {
    const hold = this.holdWrite
    this.holdWrite = undefined
    await hold?.promise
    this.#remote.entries.set(key, text)
    return 'written'
  }

  protected override async undoWrite(key: string): Promise<void> {
    this.#remote.entries.delete(key)
  }

  protected override written(key: string): void {
    this.#tell({ kind: 'fill', key })
  }

  protected async invalidateRemote(invalidation: Invalidation): Promise<void> {
    for (const [key, text] of this.#remote.entries) {
      const tags = deserializeEntry(text)?.tags ?? []
      if (invalidation.kind === 'all' || (invalidation.kind === 'key' ? key === invalidation.key : tags.includes(invalidation.tag))) this.#remote.entries.delete(key)
    }
    this.#tell(invalidation)
  }

  /** Sends through a structured clone, as a BroadcastChannel does. */
  #tell(body: Invalidation | { kind: 'fill'; key: string }): void {
    const data = structuredClone({ from: String(this.#id.description), ...body })
    for (const other of this.#remote.instances) if (other !== this) other.#hear(data)
  }

  #hear(data: unknown): void {
    const message = readInstanceMessage(data) as InstanceMessage | undefined
    if (message === undefined) return
    if (message.kind === 'fill') this.refilled(message.key)
    else this.heard(message)
  }

  /** For a test: a failure of the store's own work, as a driver reports it. */
  fail(error: unknown, invalidation?: Invalidation): void {
    this.report(error, invalidation)
  }
}

const entry = (value: unknown, tags?: string[]): CacheEntry => ({ value, storedAt: Date.now(), ttlMs: 60_000, staleMs: 0, ...(tags ? { tags } : {}) })

describeStoreSemantics('shared tier over an in-process remote', () => new InProcessStore(remoteSide()))

describe('SharedStore', () => {
  it('a read from the remote side that an invalidation overtook gives its caller the value, but memory does not keep it', async () => {
    const remote = remoteSide()
    const store = new InProcessStore(remote)
    remote.entries.set('k', JSON.stringify({ f: 2, storedAt: Date.now(), ttlMs: 60_000, staleMs: 0, value: [1] }))
    const released = (store.holdRead = deferred())
    const read = store.get('k')
    await store.delete('other') // any invalidation counts: the read began before it
    released.resolve()
    expect((await read)?.value).toBe(1)
    expect(store.memoryUsage.entries).toBe(0)
    await store.get('k')
    expect(store.memoryUsage.entries).toBe(1) // a read begun after it fills memory
  })

  it("a write on its way when an invalidation of its key or tag reaches it is undone once it lands, here and from another instance's invalidation", async () => {
    const remote = remoteSide()
    const [a, b] = [new InProcessStore(remote), new InProcessStore(remote)]
    const hold = (a.holdWrite = deferred())
    const write = a.set('k', entry('old', ['posts']))
    await a.delete('k')
    hold.resolve()
    await write
    expect(remote.entries.has('k')).toBe(false)
    expect(a.memoryUsage.entries).toBe(0)

    const second = (a.holdWrite = deferred())
    const tagged = a.set('t', entry('old', ['posts']))
    await b.deleteTag('posts') // another instance: a hears it
    second.resolve()
    await tagged
    expect(remote.entries.has('t')).toBe(false)
    expect(a.memoryUsage.entries).toBe(0)
  })

  it('a write that lands untouched tells the other instances, which let their copy go and read the new value', async () => {
    const remote = remoteSide()
    const [a, b] = [new InProcessStore(remote), new InProcessStore(remote)]
    await a.set('k', entry('v1'))
    expect((await b.get('k'))?.value).toBe('v1')
    await a.set('k', entry('v2'))
    expect((await b.get('k'))?.value).toBe('v2')
  })

  it('a value too large to share stays in this instance only, and the error says so; a value no store keeps is kept nowhere', async () => {
    const remote = remoteSide()
    const store = new InProcessStore(remote, { maxEntryBytes: 100 })
    await expect(store.set('big', entry('x'.repeat(200)))).rejects.toThrow(/larger than the 100 bytes a shared cache keeps/)
    expect(remote.entries.has('big')).toBe(false)
    expect((await store.get('big'))?.value).toBe('x'.repeat(200))
    await expect(store.set('fn', entry(() => 1))).rejects.toThrow(TypeError)
    expect(await store.get('fn')).toBeUndefined()
  })

  it('an invalidation from another instance reaches every listener, a throwing or rejecting one included; failures of its own work reach every onError', async () => {
    const remote = remoteSide()
    const [a, b] = [new InProcessStore(remote), new InProcessStore(remote)]
    const heard: string[] = []
    const errors: unknown[] = []
    a.subscribe(() => {
      throw new Error('a listener that throws')
    })
    a.subscribe(() => Promise.reject(new Error('a listener that rejects')))
    const stop = a.subscribe((invalidation) => heard.push(invalidation.kind), (error) => errors.push(error))
    a.subscribe(() => heard.push('second'), (error) => errors.push(error))
    await b.deleteTag('posts')
    expect(heard).toEqual(['tag', 'second'])
    a.fail(new Error('kept'), { kind: 'all' })
    expect(errors).toHaveLength(2)
    stop()
    await b.clear()
    expect(heard).toEqual(['tag', 'second', 'second'])
  })

  it('a key or tag that is not well-formed Unicode is a TypeError naming the store, and nothing is kept', async () => {
    const store = new InProcessStore(remoteSide())
    const bad = 'profile:alice\uD83D'
    await expect(store.set(bad, entry('v'))).rejects.toThrow(/^inProcessStore\.set: key must be well-formed Unicode/)
    await expect(store.set('fine', entry('v', [bad]))).rejects.toThrow(/^inProcessStore\.set: tag must be well-formed Unicode/)
    expect(() => store.get(bad)).toThrow(/^inProcessStore\.get: key must be well-formed Unicode/)
    await expect(store.deleteTag(bad)).rejects.toThrow(/^inProcessStore\.deleteTag: tag must be well-formed Unicode/)
    expect(store.memoryUsage.entries).toBe(0)
  })

  it('memory is bounded by bytes as well as by entries', async () => {
    const store = new InProcessStore(remoteSide(), { maxEntries: 100, maxMemoryBytes: 1000 })
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, entry('x'.repeat(300)))
    expect(store.memoryUsage.entries).toBeLessThanOrEqual(2)
    expect(store.memoryUsage.bytes).toBeLessThanOrEqual(1000)
  })
})

describe('repeats: an invalidation kept during an outage that an earlier kept one already covers', () => {
  it('the same key or tag, or anything after invalidateAll; never another key, tag or kind', () => {
    expect(repeats({ kind: 'key', key: 'a' }, { kind: 'key', key: 'a' })).toBe(true)
    expect(repeats({ kind: 'tag', tag: 't' }, { kind: 'tag', tag: 't' })).toBe(true)
    expect(repeats({ kind: 'tag', tag: 't' }, { kind: 'all' })).toBe(true)
    expect(repeats({ kind: 'all' }, { kind: 'all' })).toBe(true)
    expect(repeats({ kind: 'key', key: 'a' }, { kind: 'key', key: 'b' })).toBe(false)
    expect(repeats({ kind: 'key', key: 't' }, { kind: 'tag', tag: 't' })).toBe(false)
    expect(repeats({ kind: 'tag', tag: 't' }, { kind: 'key', key: 't' })).toBe(false)
    expect(repeats({ kind: 'all' }, { kind: 'tag', tag: 't' })).toBe(false)
  })
})
