/**
 * Bench for recipes/as-completed.ts — N tasks that each yield to the loop
 * once and return their index, given to `asCompleted`, every result awaited
 * in completion order (bench/workloads.json).
 *
 * Variants: `asCompleted` on defaultLoop (the baseline) and fastLoop, each
 * also "+ no async context"; `asCompletedStream` (the same as a `Stream`) on
 * defaultLoop. The Python peer (bench/peers/asyncio/as-completed.py) runs
 * `asyncio.as_completed` on asyncio and uvloop.
 */
import { Effect, Stream } from "effect"
import { asCompleted, asCompletedStream } from "effect-asyncio/as-completed"
import { runBench, withNoAsyncContext, type Workload } from "./_harness.ts"
import { onLoops } from "./loop-swap.bench.ts"
import { fromDef } from "./workloads.ts"

const tasks = (n: number) => Array.from({ length: n }, (_, i) => Effect.as(Effect.yieldNow, i))

/** Awaits every result of n tasks in completion order; checks none is missing. */
export const inCompletionOrder = (n: number) =>
  Effect.gen(function* () {
    let sum = 0
    for (const next of yield* asCompleted(tasks(n))) sum += yield* next
    if (sum !== (n * (n - 1)) / 2) throw new Error("a result is missing")
  })

const streamed = (n: number) =>
  Effect.gen(function* () {
    const sum = yield* Stream.runFold(asCompletedStream(tasks(n)), () => 0, (a, b) => a + b)
    if (sum !== (n * (n - 1)) / 2) throw new Error("a result is missing")
  })

const asCompletedWorkload = (): Workload => {
  const def = fromDef("as-completed", "as-completed 100,000")
  const n = def.ops
  return {
    ...def,
    variants: [
      ...withNoAsyncContext(onLoops(() => Effect.orDie(inCompletionOrder(n)))),
      { name: "asCompletedStream on defaultLoop", run: () => Effect.runPromise(streamed(n)) },
    ],
  }
}

if (import.meta.main) await runBench([asCompletedWorkload()])
