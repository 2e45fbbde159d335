/**
 * `asyncio.LifoQueue`: a {@link Queue} that gives the last item put first
 * (a stack). Everything else (maxsize, taskDone, join, shutdown) is Queue's.
 *
 * @example Last in, first out
 * ```ts
 * import { Effect } from "effect"
 * import * as LifoQueue from "effect-asyncio/lifo-queue"
 * import assert from "node:assert/strict"
 *
 * const order = await Effect.runPromise(Effect.gen(function* () {
 *   const stack = yield* LifoQueue.make<string>()
 *   for (const item of ["a", "b", "c"]) yield* stack.put(item)
 *   return [yield* stack.get, yield* stack.get, yield* stack.get]
 * }))
 * assert.deepEqual(order, ["c", "b", "a"])
 * ```
 *
 * @module
 */
import { Effect } from "effect"
import { makeWithStore, type Queue, type Store } from "./queue.ts"

class Stack<A> implements Store<A> {
  private readonly items: Array<A> = []
  get size() {
    return this.items.length
  }
  push(item: A) {
    this.items.push(item)
  }
  take(): A {
    return this.items.pop()!
  }
}

/** Makes a LIFO queue, outside of an Effect. */
export const makeUnsafe = <A>(options?: { readonly maxsize?: number }): Queue<A> =>
  makeWithStore(new Stack<A>(), options, "LifoQueue")

/** Makes a LIFO queue, like `asyncio.LifoQueue(maxsize)`: 0 (the default) is unbounded. */
export const make = <A>(options?: { readonly maxsize?: number }): Effect.Effect<Queue<A>> =>
  Effect.sync(() => makeUnsafe<A>(options))
