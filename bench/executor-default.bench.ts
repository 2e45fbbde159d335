/**
 * Bench for recipes/executor-default.ts — `runInExecutor(null, …)` on the
 * default executor (a lazily started thread pool) against the raw worker
 * baseline and an explicit pool, and what the lazy start costs.
 *
 * - round trip: 2 000 sequential `add(i, 1)`, µs per task;
 * - cold start: a fresh pool (or raw worker) and its first task, ms.
 *
 * The machine may be shared: the load average is printed before each workload.
 */
import { Effect } from "effect"
import { runInExecutor, ThreadPoolExecutor } from "effect-asyncio/executor"
import { runBench } from "./_harness.ts"
import { add, loadAverage, longLived, rawWorker, sequential } from "./_executor.ts"

if (import.meta.main) {
  const web = rawWorker("web")
  const explicit = await longLived(ThreadPoolExecutor.make())
  const n = 2_000

  console.log(`load average: ${await loadAverage()}`)
  await runBench([{
    bench: "executor-default",
    workload: `round trip: ${n.toLocaleString("en")} sequential add(i, 1)`,
    unit: "µs/task",
    ops: n,
    variants: [
      {
        name: "raw Worker + postMessage (Web Worker)",
        baseline: true,
        run: async () => {
          for (let i = 0; i < n; i++) await web.call(i, 1)
        },
      },
      {
        name: "runInExecutor(null) — default executor (lib)",
        run: () =>
          Effect.runPromise(Effect.gen(function* () {
            for (let i = 0; i < n; i++) yield* runInExecutor(null, add, i, 1)
          })),
      },
      {
        name: "runInExecutor(pool) — explicit pool (lib)",
        run: () => sequential(explicit.pool, n),
      },
    ],
  }])

  console.log(`load average: ${await loadAverage()}`)
  await runBench([{
    bench: "executor-default",
    workload: "cold start: a new pool and its first task",
    unit: "ms",
    ops: 1,
    samples: 9,
    variants: [
      {
        name: "raw Worker: start + first reply",
        baseline: true,
        run: async () => {
          const worker = rawWorker("web")
          await worker.call(1, 1)
          worker.close()
        },
      },
      {
        name: "ThreadPoolExecutor: make + first task + shutdown (lib)",
        run: () =>
          Effect.runPromise(Effect.scoped(Effect.gen(function* () {
            const pool = yield* ThreadPoolExecutor.make({ maxWorkers: 1 })
            yield* pool.submit(add, 1, 1)
          }))),
      },
    ],
  }])

  web.close()
  await explicit.close()
}
