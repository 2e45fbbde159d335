/**
 * Bench for recipes/queue-workers.ts — the asyncio docs' worker pattern at
 * scale: 100,000 jobs in a Queue, three workers that get, yield once and
 * call taskDone, `join`, then the workers cancelled. This library's Queue on
 * each loop (and without the async-context capture); the baseline is the
 * default loop. Definition in bench/workloads.json, shared with the Python
 * peer (bench/peers/asyncio/queue-workers.py).
 */
import { Effect, Fiber } from "effect"
import * as Queue from "effect-asyncio/queue"
import { runBench, type Workload } from "./_harness.ts"
import { libVariants } from "./_sync.ts"
import { fromDef, param } from "./workloads.ts"

export const workers = (jobs: number, count: number) =>
  Effect.gen(function* () {
    const queue = yield* Queue.make<number>()
    for (let i = 0; i < jobs; i++) yield* queue.put(i)
    const worker = Effect.forever(Effect.gen(function* () {
      yield* queue.get
      yield* Effect.yieldNow
      yield* queue.taskDone
    }))
    const fibers = []
    for (let i = 0; i < count; i++) fibers.push(yield* Effect.forkChild(worker))
    yield* queue.join
    yield* Fiber.interruptAll(fibers)
  })

const workload = (): Workload => {
  const name = "100,000 jobs, 3 workers, join"
  const def = fromDef("queue-workers", name)
  const count = param("queue-workers", name, "workers")
  return {
    ...def,
    variants: libVariants("Queue", () => workers(def.ops, count), { baseline: true }),
  }
}

if (import.meta.main) {
  await runBench([workload()])
}
