/**
 * The keys that weigh most in a stream of any number of keys, in a fixed number of slots
 * (Space-Saving: Metwally, Agrawal and El Abbadi, "Efficient computation of frequent and top-k
 * elements in data streams", 2005):
 *
 *   const top = new TopKeys(3)
 *   top.add('a', 1); top.add('b', 5); top.add('c', 1); top.add('d', 1)
 *   top.top(2) -> [{ key: 'b', weight: 5, error: 0, count: 1 }, { key: 'd', weight: 2, error: 1, count: 1 }]
 *
 * A key that is not tracked while every slot is taken takes the slot of the lightest key and
 * inherits its weight as `error`: a key's true weight lies between `weight - error` and `weight`,
 * and any key heavier than the total over the number of slots is sure to be tracked. Memory is the
 * slots, whatever number of keys passes through.
 */
export interface TopKey {
  key: string
  /** The key's weight, over-estimated by at most `error`. */
  weight: number
  error: number
  /** How many times the key was added since it took its slot. */
  count: number
}

interface Slot {
  weight: number
  error: number
  count: number
}

export class TopKeys {
  readonly #slots = new Map<string, Slot>()
  readonly #capacity: number

  constructor(capacity: number) {
    this.#capacity = capacity
  }

  add(key: string, weight: number): void {
    const slot = this.#slots.get(key)
    if (slot !== undefined) {
      slot.weight += weight
      slot.count++
      return
    }
    if (this.#slots.size < this.#capacity) {
      this.#slots.set(key, { weight, error: 0, count: 1 })
      return
    }
    // A scan of the slots: they are few, and a key that is not tracked is the rare case.
    let lightestKey = ''
    let lightest: Slot | undefined
    for (const [tracked, candidate] of this.#slots) {
      if (lightest === undefined || candidate.weight < lightest.weight) {
        lightestKey = tracked
        lightest = candidate
      }
    }
    this.#slots.delete(lightestKey)
    this.#slots.set(key, { weight: lightest!.weight + weight, error: lightest!.weight, count: 1 })
  }

  /** What the sketch holds for `key`, if it is tracked. */
  get(key: string): TopKey | undefined {
    const slot = this.#slots.get(key)
    return slot === undefined ? undefined : { key, ...slot }
  }

  /** The `n` heaviest keys, heaviest first. */
  top(n: number): TopKey[] {
    return [...this.#slots]
      .map(([key, slot]) => ({ key, ...slot }))
      .sort((a, b) => b.weight - a.weight)
      .slice(0, n)
  }

  clear(): void {
    this.#slots.clear()
  }
}
