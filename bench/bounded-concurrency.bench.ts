/**
 * Bench for recipes/bounded-concurrency.ts — many tasks contending for a
 * Semaphore(10), at 10,000, 100,000 and 1,000,000 tasks (the same µs per
 * task at every size: each operation is O(1)), and a Lock passed back and
 * forth between two tasks. This library's primitives on each loop (and
 * without the async-context capture); Effect's own Semaphore beside them
 * where it finishes in reasonable time (10,000 tasks; its release rescans
 * every waiter, so 100,000 take minutes). Definitions in bench/workloads.json,
 * shared with the Python peer (bench/peers/asyncio/bounded-concurrency.py).
 */
import { Effect, Semaphore as EffectSemaphore } from "effect"
import * as Lock from "effect-asyncio/lock"
import * as Semaphore from "effect-asyncio/semaphore"
import { runBench, withNoAsyncContext, type Workload } from "./_harness.ts"
import { libVariants } from "./_sync.ts"
import { fromDef, param } from "./workloads.ts"

/** n tasks at once, each holds a permit across one yield. */
export const contend = (n: number, permits: number) =>
  Effect.gen(function* () {
    const semaphore = yield* Semaphore.make(permits)
    const task = semaphore.withPermit(Effect.yieldNow)
    yield* Effect.forEach(Array.from({ length: n }), () => task, {
      concurrency: "unbounded",
      discard: true,
    })
  })

const contendEffect = (n: number, permits: number) =>
  Effect.gen(function* () {
    const semaphore = yield* EffectSemaphore.make(permits)
    const task = semaphore.withPermit(Effect.yieldNow)
    yield* Effect.forEach(Array.from({ length: n }), () => task, {
      concurrency: "unbounded",
      discard: true,
    })
  })

const semaphoreWorkload = (name: string, withEffects: boolean): Workload => {
  // Effect's own Semaphore and fastLoop only at 10,000: the larger sizes cost minutes per row.
  const def = fromDef("bounded-concurrency", name)
  const permits = param("bounded-concurrency", name, "permits")
  return {
    ...def,
    variants: [
      ...(withEffects
        ? withNoAsyncContext([{
          name: "Effect's own Semaphore",
          baseline: true,
          run: () => Effect.runPromise(contendEffect(def.ops, permits)),
        }])
        : []),
      ...libVariants("Semaphore", () => contend(def.ops, permits), {
        baseline: !withEffects,
        fastLoop: withEffects,
      }),
    ],
  }
}

/** Two tasks take the lock n/2 times each, holding it across one yield. */
export const lockPingPong = (n: number) =>
  Effect.gen(function* () {
    const lock = yield* Lock.make
    const task = Effect.gen(function* () {
      for (let i = 0; i < n / 2; i++) yield* lock.withLock(Effect.yieldNow)
    })
    yield* Effect.all([task, task], { concurrency: "unbounded", discard: true })
  })

const effectPingPong = (n: number) =>
  Effect.gen(function* () {
    const semaphore = yield* EffectSemaphore.make(1)
    const task = Effect.gen(function* () {
      for (let i = 0; i < n / 2; i++) yield* semaphore.withPermit(Effect.yieldNow)
    })
    yield* Effect.all([task, task], { concurrency: "unbounded", discard: true })
  })

const lockWorkload = (): Workload => {
  const def = fromDef("bounded-concurrency", "Lock ping-pong 100,000")
  return {
    ...def,
    variants: [
      ...withNoAsyncContext([{
        name: "Effect's own Semaphore(1)",
        baseline: true,
        run: () => Effect.runPromise(effectPingPong(def.ops)),
      }]),
      ...libVariants("Lock", () => lockPingPong(def.ops)),
    ],
  }
}

if (import.meta.main) {
  await runBench([
    semaphoreWorkload("Semaphore(10), 10,000 contending tasks", true),
    semaphoreWorkload("Semaphore(10), 100,000 contending tasks", false),
    semaphoreWorkload("Semaphore(10), 1,000,000 contending tasks", false),
    lockWorkload(),
  ])
}
