/**
 * Bench for recipes/executor-process-pool.ts — the process pool (2 child
 * processes on a 2-core machine) against the raw worker baseline (one
 * worker thread, `postMessage`, no pool) and the thread pool.
 *
 * - round trip: 2 000 sequential `add(i, 1)`, µs per task;
 * - throughput: 10 000 `add(i, 1)` submitted at once, tasks/s;
 * - CPU speedup: 4 prime counts of ~0.5 s, main thread vs 2 processes, ms.
 *
 * The machine may be shared: the load average is printed before each workload.
 */
import { Effect } from "effect"
import { ProcessPoolExecutor, ThreadPoolExecutor } from "effect-asyncio/executor"
import { runBench } from "./_harness.ts"
import {
  add,
  calibratePrimes,
  concurrent,
  countPrimes,
  loadAverage,
  longLived,
  range,
  rawWorker,
  sequential,
} from "./_executor.ts"

if (import.meta.main) {
  const web = rawWorker("web")
  const processes = await longLived(ProcessPoolExecutor.make({ maxWorkers: 2 }))
  const threads = await longLived(ThreadPoolExecutor.make({ maxWorkers: 2 }))
  const n = 2_000
  const m = 10_000

  console.log(`load average: ${await loadAverage()}`)
  await runBench([{
    bench: "executor-process-pool",
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
      { name: "ProcessPoolExecutor submit (lib)", run: () => sequential(processes.pool, n) },
      { name: "ThreadPoolExecutor submit (lib)", run: () => sequential(threads.pool, n) },
    ],
  }])

  console.log(`load average: ${await loadAverage()}`)
  await runBench([{
    bench: "executor-process-pool",
    workload: `throughput: ${m.toLocaleString("en")} add(i, 1) at once`,
    unit: "ops/s",
    ops: m,
    variants: [
      { name: "raw Worker + postMessage (Web Worker)", baseline: true, run: () => web.burst(m) },
      { name: "ProcessPoolExecutor submit ×N (lib)", run: () => concurrent(processes.pool, m) },
      {
        name: "ProcessPoolExecutor map (lib)",
        run: () => Effect.runPromise(processes.pool.map(add, range(m), range(m).fill(1))),
      },
    ],
  }])

  const limit = calibratePrimes(500)
  console.log(`countPrimes(${limit}) ≈ 0.5 s; load average: ${await loadAverage()}`)
  await runBench([{
    bench: "executor-process-pool",
    workload: "CPU speedup: 4 × countPrimes (~0.5 s each), 2 cores",
    unit: "ms",
    ops: 4,
    samples: 3,
    variants: [
      {
        name: "sequential on the main thread",
        baseline: true,
        run: () => [0, 1, 2, 3].map(() => countPrimes(limit)),
      },
      {
        name: "ProcessPoolExecutor, 2 workers (lib)",
        run: () => Effect.runPromise(processes.pool.map(countPrimes, [limit, limit, limit, limit])),
      },
    ],
  }])

  web.close()
  await processes.close()
  await threads.close()
}
