/**
 * Bench for recipes/executor-default.ts — `runInExecutor(null, …)` on the
 * default executor (a lazily started thread pool) against the raw worker
 * baseline and an explicit pool, and what the lazy start costs.
 *
 * - round trip: 2 000 sequential `add(i, 1)`, µs per task;
 * - throughput: 10 000 `add(i, 1)` submitted at once, tasks/s;
 * - cold start (TypeScript only): a fresh pool (or raw worker) and its first
 *   task, ms.
 * Names, sizes and samples come from bench/workloads.json.
 *
 * The machine may be shared: the load average is printed before each workload.
 */
import { Effect } from "effect"
import { runInExecutor, ThreadPoolExecutor } from "effect-asyncio/executor"
import { runBench } from "./_harness.ts"
import {
  add,
  loadAverage,
  longLived,
  range,
  rawBaselines,
  rawWorker,
  sequential,
} from "./_executor.ts"
import { fromDef } from "./workloads.ts"

if (import.meta.main) {
  const web = rawWorker("web")
  const explicit = await longLived(ThreadPoolExecutor.make())
  const bench = "executor-default"
  const roundTripDef = fromDef(bench, "round-trip 2,000 sequential")
  const throughputDef = fromDef(bench, "throughput 10,000 concurrent")
  const n = roundTripDef.ops
  const m = throughputDef.ops
  const raw = rawBaselines(web, n, m)

  console.log(`load average: ${await loadAverage()}`)
  await runBench([{
    ...roundTripDef,
    variants: [
      raw.roundTrip,
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
    ...throughputDef,
    variants: [
      raw.throughput,
      {
        name: "runInExecutor(null) ×N — default executor (lib)",
        run: () =>
          Effect.runPromise(
            Effect.all(range(m).map((i) => runInExecutor(null, add, i, 1)), {
              concurrency: "unbounded",
            }),
          ),
      },
    ],
  }])

  console.log(`load average: ${await loadAverage()}`)
  await runBench([{
    ...fromDef(bench, "cold start: a new pool and its first task"),
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
