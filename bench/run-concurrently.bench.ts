/**
 * Bench for recipes/run-concurrently.ts — spawn-gather: N tasks that each
 * yield to the loop once and return their index, gathered in order.
 *
 * Variants: the lib's `gather` and `wait`, the bare Effect calls they wrap
 * (`Effect.all`, `Effect.forkChild` + `Fiber.joinAll`), and the raw-Promise
 * baseline (`Promise.all` of async functions that `await` once). `Effect.all`
 * also runs on fastLoop, and on both loops "+ no async context" (in a process
 * that opted in to `effect-asyncio/no-async-context`, bench/_harness.ts); every
 * row carries its peak RSS.
 */
import { Effect, Fiber } from "effect"
import { gather, wait } from "effect-asyncio/coroutine"
import { fastLoop, withLoop } from "effect-asyncio/loop"
import { runBench, withNoAsyncContext, type Workload } from "./_harness.ts"
import { fromDef } from "./workloads.ts"

const task = (i: number) => Effect.as(Effect.yieldNow, i)
const rawTask = async (i: number) => {
  await null
  return i
}
const indices = (n: number) => Array.from({ length: n }, (_, i) => i)
const all = (n: number) => Effect.all(indices(n).map(task), { concurrency: "unbounded" })

// Names, sizes and sample counts come from bench/workloads.json, shared with the Python peer.
const spawnGather = (workload: string): Workload => {
  const def = fromDef("run-concurrently", workload)
  const n = def.ops
  return {
    ...def,
    variants: [
      {
        name: "Promise.all (raw)",
        baseline: true,
        run: () => Promise.all(indices(n).map(rawTask)),
      },
      ...withNoAsyncContext([
        { name: "Effect.all (bare)", run: () => Effect.runPromise(all(n)) },
        {
          name: "Effect.all on fastLoop",
          run: () => Effect.runPromise(withLoop(fastLoop)(all(n))),
        },
      ]),
      { name: "gather (lib)", run: () => Effect.runPromise(gather(indices(n).map(task))) },
      {
        name: "forkChild + joinAll (bare)",
        run: () =>
          Effect.runPromise(Effect.gen(function* () {
            const fibers = yield* Effect.forEach(indices(n), (i) => Effect.forkChild(task(i)))
            return yield* Fiber.joinAll(fibers)
          })),
      },
      { name: "wait (lib)", run: () => Effect.runPromise(wait(indices(n).map(task))) },
    ],
  }
}

if (import.meta.main) {
  await runBench([spawnGather("spawn-gather 100,000"), spawnGather("spawn-gather 1,000,000")])
}
