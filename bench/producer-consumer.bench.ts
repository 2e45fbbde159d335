/**
 * Bench for recipes/producer-consumer.ts — one producer, one consumer, a
 * million items through a Queue, unbounded and bounded(100): this library's
 * Queue on each loop (and without the async-context capture), with Effect's
 * own Queue (offer/take) beside it as the baseline. Sizes and definitions
 * are in bench/workloads.json, shared with the Python peer
 * (bench/peers/asyncio/producer-consumer.py).
 */
import { Effect, Fiber, Queue as EffectQueue } from "effect"
import * as Queue from "effect-asyncio/queue"
import { runBench, withNoAsyncContext, type Workload } from "./_harness.ts"
import { libVariants } from "./_sync.ts"
import { fromDef, param } from "./workloads.ts"

/** Producer puts 0 … n−1, consumer sums n gets; both forked at once. */
export const throughQueue = (n: number, maxsize: number) =>
  Effect.gen(function* () {
    const queue = yield* Queue.make<number>({ maxsize })
    const producer = yield* Effect.forkChild(Effect.gen(function* () {
      for (let i = 0; i < n; i++) yield* queue.put(i)
    }))
    const consumer = yield* Effect.forkChild(Effect.gen(function* () {
      let sum = 0
      for (let i = 0; i < n; i++) sum += yield* queue.get
      return sum
    }))
    yield* Fiber.join(producer)
    const sum = yield* Fiber.join(consumer)
    if (sum !== (n * (n - 1)) / 2) throw new Error(`lost items: sum ${sum}`)
  })

/** The same with Effect's own Queue. */
const throughEffectQueue = (n: number, maxsize: number) =>
  Effect.gen(function* () {
    const queue = maxsize > 0
      ? yield* EffectQueue.bounded<number>(maxsize)
      : yield* EffectQueue.unbounded<number>()
    const producer = yield* Effect.forkChild(Effect.gen(function* () {
      for (let i = 0; i < n; i++) yield* EffectQueue.offer(queue, i)
    }))
    const consumer = yield* Effect.forkChild(Effect.gen(function* () {
      let sum = 0
      for (let i = 0; i < n; i++) sum += yield* EffectQueue.take(queue)
      return sum
    }))
    yield* Fiber.join(producer)
    const sum = yield* Fiber.join(consumer)
    if (sum !== (n * (n - 1)) / 2) throw new Error(`lost items: sum ${sum}`)
  })

const queueWorkload = (name: string): Workload => {
  const def = fromDef("producer-consumer", name)
  const maxsize = param("producer-consumer", name, "maxsize")
  return {
    ...def,
    variants: [
      ...withNoAsyncContext([{
        name: "Effect's own Queue",
        baseline: true,
        run: () => Effect.runPromise(throughEffectQueue(def.ops, maxsize)),
      }]),
      ...libVariants("Queue", () => throughQueue(def.ops, maxsize)),
    ],
  }
}

if (import.meta.main) {
  await runBench([
    queueWorkload("queue 1,000,000 items, unbounded"),
    queueWorkload("queue 1,000,000 items, bounded(100)"),
  ])
}
