/**
 * Bench for recipes/cpu-bound.ts — the CPU speedup table: 4 tasks counting
 * the primes below bench/workloads.json's limit (1,000,000: about 0.12 s each
 * in JavaScript, 3.4 s in CPython; the same limit as the Python peer, see the
 * workload's `what` for why not the recipe's default of 2,000,000). Three
 * workloads, as the Python peer has them: 4 concurrent fibers on the main
 * thread, a thread pool of 2 and a process pool of 2 (pools started before
 * the samples); each measures the 4 tasks one after another on the main
 * thread in the same run as its baseline.
 */
import { Effect } from "effect"
import { gather } from "effect-asyncio/coroutine"
import { ProcessPoolExecutor, ThreadPoolExecutor } from "effect-asyncio/executor"
import { countPrimes } from "../recipes/cpu-bound.ts"
import { loadAverage, longLived } from "./_executor.ts"
import { runBench, type Workload } from "./_harness.ts"
import { fromDef, param } from "./workloads.ts"

const bench = "cpu-bound"
const names = {
  main: "4 × primes below 1,000,000: main thread",
  threads: "4 × primes below 1,000,000: thread pool (2)",
  processes: "4 × primes below 1,000,000: process pool (2)",
}

const workload = (
  name: string,
  variant: string,
  run: (limits: ReadonlyArray<number>) => unknown,
): Workload => {
  const def = fromDef(bench, name)
  const limits = Array.from({ length: def.ops }, () => param(bench, name, "limit"))
  return {
    ...def,
    variants: [
      {
        name: "one after another, main thread",
        baseline: true,
        run: () => limits.map(countPrimes),
      },
      { name: variant, run: () => run(limits) },
    ],
  }
}

if (import.meta.main) {
  console.log(`load average: ${await loadAverage()}`)
  const threads = await longLived(
    ThreadPoolExecutor.make({ maxWorkers: param(bench, names.threads, "workers") }),
  )
  const processes = await longLived(
    ProcessPoolExecutor.make({ maxWorkers: param(bench, names.processes, "workers") }),
  )
  await runBench([
    workload(
      names.main,
      "4 concurrent fibers, main thread",
      (limits) => Effect.runPromise(gather(limits.map((n) => Effect.sync(() => countPrimes(n))))),
    ),
    workload(
      names.threads,
      "thread pool, 2 workers",
      (limits) => Effect.runPromise(threads.pool.map(countPrimes, limits)),
    ),
    workload(
      names.processes,
      "process pool, 2 workers",
      (limits) => Effect.runPromise(processes.pool.map(countPrimes, limits)),
    ),
  ])
  await threads.close()
  await processes.close()
}
