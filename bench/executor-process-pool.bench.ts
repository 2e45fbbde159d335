/**
 * Bench for recipes/executor-process-pool.ts — the process pool (2 child
 * processes on a 2-core machine) against the raw worker baseline (one
 * worker thread, `postMessage`, no pool) and the thread pool.
 *
 * - round trip: 2 000 sequential `add(i, 1)`, µs per task;
 * - throughput: 10 000 `add(i, 1)` submitted at once, tasks/s;
 * - round trip, 100 MB argument: `echo(bytes)` of 100 MB on a pool of one, ms;
 * Names, sizes and samples come from bench/workloads.json (the Python peer
 * runs the same two workloads). The CPU speedup of a pool is measured once,
 * in bench/cpu-bound.bench.ts.
 *
 * The machine may be shared: the load average is printed before each workload.
 */
import { Effect } from "effect"
import { ProcessPoolExecutor, ThreadPoolExecutor } from "effect-asyncio/executor"
import { fromDef } from "./workloads.ts"
import { runBench } from "./_harness.ts"
import {
  add,
  bigRoundTrip,
  concurrent,
  loadAverage,
  longLived,
  poolSize,
  range,
  rawBaselines,
  rawWorker,
  sequential,
} from "./_executor.ts"

if (import.meta.main) {
  const web = rawWorker("web")
  const bench = "executor-process-pool"
  const roundTripDef = fromDef(bench, "round-trip 2,000 sequential")
  const throughputDef = fromDef(bench, "throughput 10,000 concurrent")
  const n = roundTripDef.ops
  const m = throughputDef.ops
  const workers = poolSize(bench)
  const raw = rawBaselines(web, n, m)
  const processes = await longLived(ProcessPoolExecutor.make({ maxWorkers: workers }))
  const threads = await longLived(ThreadPoolExecutor.make({ maxWorkers: workers }))

  console.log(`load average: ${await loadAverage()}`)
  await runBench([{
    ...roundTripDef,
    variants: [
      raw.roundTrip,
      { name: "ProcessPoolExecutor submit (lib)", run: () => sequential(processes.pool, n) },
      { name: "ThreadPoolExecutor submit (lib)", run: () => sequential(threads.pool, n) },
    ],
  }])

  console.log(`load average: ${await loadAverage()}`)
  await runBench([{
    ...throughputDef,
    variants: [
      raw.throughput,
      { name: "ProcessPoolExecutor submit ×N (lib)", run: () => concurrent(processes.pool, m) },
      {
        name: "ProcessPoolExecutor map (lib)",
        run: () => Effect.runPromise(processes.pool.map(add, range(m), range(m).fill(1))),
      },
    ],
  }])

  // 100 MB there and back, on a pool of one child (started and warmed).
  const big = await bigRoundTrip(
    web,
    fromDef(bench, "round trip, 100 MB argument"),
    "ProcessPoolExecutor submit (lib)",
    ProcessPoolExecutor.make({ maxWorkers: 1 }),
  )
  console.log(`load average: ${await loadAverage()}`)
  await runBench([big.workload])
  await big.close()

  web.close()
  await processes.close()
  await threads.close()
}
