/**
 * Bench for recipes/task-group.ts — TaskGroup spawn-and-join: one group, N
 * tasks created in it that each yield to the loop once and return their
 * index, the group left once all have ended (bench/workloads.json).
 *
 * Variants: `taskGroup` on defaultLoop (the baseline) and fastLoop, each also
 * "+ no async context" (in a process that opted in to
 * `effect-asyncio/no-async-context`, bench/_harness.ts); beside them the bare
 * Effect it replaces (`Effect.forkChild` each, then `Fiber.joinAll`). The
 * Python peer (bench/peers/asyncio/task-group.py) runs `asyncio.TaskGroup`
 * on asyncio and uvloop.
 */
import { Effect, Fiber } from "effect"
import { taskGroup } from "effect-asyncio/task-group"
import { runBench, withNoAsyncContext, type Workload } from "./_harness.ts"
import { onLoops } from "./loop-swap.bench.ts"
import { fromDef } from "./workloads.ts"

const task = (i: number) => Effect.as(Effect.yieldNow, i)

/** One group; n tasks that yield once; their results once the group is left. */
export const spawnAndJoin = (n: number) =>
  Effect.gen(function* () {
    const tasks = yield* taskGroup((tg) =>
      Effect.gen(function* () {
        const tasks = new Array<Fiber.Fiber<number>>(n)
        for (let i = 0; i < n; i++) tasks[i] = yield* tg.createTask(task(i))
        return tasks
      })
    )
    const last = tasks[n - 1].pollUnsafe()
    if (last?._tag !== "Success" || last.value !== n - 1) throw new Error("a task did not end")
  })

const bare = (n: number) =>
  Effect.gen(function* () {
    const fibers = new Array<Fiber.Fiber<number>>(n)
    for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(task(i))
    yield* Fiber.joinAll(fibers)
  })

const spawnAndJoinWorkload = (): Workload => {
  const def = fromDef("task-group", "spawn-and-join 100,000")
  const n = def.ops
  return {
    ...def,
    variants: [
      ...withNoAsyncContext(onLoops(() => Effect.orDie(spawnAndJoin(n)))),
      { name: "forkChild + joinAll (bare)", run: () => Effect.runPromise(bare(n)) },
    ],
  }
}

if (import.meta.main) await runBench([spawnAndJoinWorkload()])
