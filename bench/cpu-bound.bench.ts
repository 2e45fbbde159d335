/**
 * Bench for recipes/cpu-bound.ts — the CPU speedup table: 4 tasks counting
 * primes (about 0.5 s each), one after another on the main thread
 * (baseline), as 4 concurrent fibers, on a thread pool of 2 and on a process
 * pool of 2 (pools started before the samples).
 */
import { Effect } from "effect"
import { gather } from "effect-asyncio/coroutine"
import { ProcessPoolExecutor, ThreadPoolExecutor } from "effect-asyncio/executor"
import { calibratePrimes, countPrimes } from "../recipes/cpu-bound.ts"
import { loadAverage, longLived } from "./_executor.ts"
import { runBench } from "./_harness.ts"

if (import.meta.main) {
  const limit = calibratePrimes(500)
  console.log(`countPrimes(${limit}) ≈ 0.5 s; load average: ${await loadAverage()}`)
  const limits = [limit, limit, limit, limit]
  const threads = await longLived(ThreadPoolExecutor.make({ maxWorkers: 2 }))
  const processes = await longLived(ProcessPoolExecutor.make({ maxWorkers: 2 }))
  await runBench([{
    bench: "cpu-bound",
    workload: "4 × countPrimes (~0.5 s each), 2 cores",
    unit: "ms",
    ops: 1,
    samples: 3,
    variants: [
      {
        name: "one after another, main thread",
        baseline: true,
        run: () => limits.map(countPrimes),
      },
      {
        name: "4 concurrent fibers, main thread",
        run: () => Effect.runPromise(gather(limits.map((n) => Effect.sync(() => countPrimes(n))))),
      },
      {
        name: "thread pool, 2 workers",
        run: () => Effect.runPromise(threads.pool.map(countPrimes, limits)),
      },
      {
        name: "process pool, 2 workers",
        run: () => Effect.runPromise(processes.pool.map(countPrimes, limits)),
      },
    ],
  }])
  await threads.close()
  await processes.close()
}
