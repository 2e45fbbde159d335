/**
 * `asyncio.PriorityQueue`: a {@link Queue} that gives the smallest item
 * first (a binary heap: put and get O(log n)).
 *
 * Items are compared as Python compares them, by default: numbers, strings,
 * bigints and booleans with `<`, arrays (Python's tuples, as in
 * `[priority, data]`) element by element; items that cannot be compared are
 * a defect (`TypeError`, as in Python). Pass `order` (an Effect `Order`) for
 * anything else. Like `heapq`, equal items come out in no promised order.
 *
 * @example Smallest first
 * ```ts
 * import { Effect } from "effect"
 * import * as PriorityQueue from "effect-asyncio/priority-queue"
 * import assert from "node:assert/strict"
 *
 * const order = await Effect.runPromise(Effect.gen(function* () {
 *   const queue = yield* PriorityQueue.make<[number, string]>()
 *   for (const job of [[3, "low"], [1, "urgent"], [2, "normal"]] as const) {
 *     yield* queue.put([...job])
 *   }
 *   return [yield* queue.get, yield* queue.get, yield* queue.get].map(([, name]) => name)
 * }))
 * assert.deepEqual(order, ["urgent", "normal", "low"])
 * ```
 *
 * @module
 */
import { Effect, type Order } from "effect"
import { makeWithStore, type Queue, type Store } from "./queue.ts"

/** Python's `<` on the values a priority queue usually holds; throws a TypeError otherwise. */
export const pythonOrder = (a: unknown, b: unknown): -1 | 0 | 1 => {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < a.length && i < b.length; i++) {
      const c = pythonOrder(a[i], b[i])
      if (c !== 0) return c
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
  }
  const type = typeof a
  if (
    type === typeof b &&
    (type === "number" || type === "string" || type === "bigint" || type === "boolean")
  ) {
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0
  }
  throw new TypeError(
    `PriorityQueue: '<' not supported between ${describe(a)} and ${describe(b)}; pass an order`,
  )
}

const describe = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`

/** A binary min-heap. */
class Heap<A> implements Store<A> {
  private readonly items: Array<A> = []
  constructor(private readonly order: Order.Order<A>) {}
  get size() {
    return this.items.length
  }
  push(item: A) {
    const items = this.items
    let i = items.push(item) - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.order(items[i], items[parent]) >= 0) break
      ;[items[i], items[parent]] = [items[parent], items[i]]
      i = parent
    }
  }
  take(): A {
    const items = this.items
    const top = items[0]
    const last = items.pop()!
    if (items.length > 0) {
      items[0] = last
      let i = 0
      while (true) {
        const left = 2 * i + 1
        const right = left + 1
        let smallest = i
        if (left < items.length && this.order(items[left], items[smallest]) < 0) smallest = left
        if (right < items.length && this.order(items[right], items[smallest]) < 0) smallest = right
        if (smallest === i) break
        ;[items[i], items[smallest]] = [items[smallest], items[i]]
        i = smallest
      }
    }
    return top
  }
}

/** Makes a priority queue, outside of an Effect. */
export const makeUnsafe = <A>(
  options?: { readonly maxsize?: number; readonly order?: Order.Order<A> },
): Queue<A> => makeWithStore(new Heap<A>(options?.order ?? pythonOrder), options, "PriorityQueue")

/**
 * Makes a priority queue, like `asyncio.PriorityQueue(maxsize)`: `maxsize`
 * 0 (the default) is unbounded; `order` defaults to Python's comparison.
 */
export const make = <A>(
  options?: { readonly maxsize?: number; readonly order?: Order.Order<A> },
): Effect.Effect<Queue<A>> => Effect.sync(() => makeUnsafe<A>(options))
