/**
 * The common misconception, part 2: fibers do not make CPU-bound work parallel.
 *
 * Fibers, like asyncio's coroutines, take turns on one thread: four CPU-bound
 * tasks as four fibers still run one at a time. To use more cores the work
 * must move to other threads or processes (the executors). JavaScript's worker
 * threads have no GIL, so the thread pool scales like the process pool.
 * Each row says what its own numbers show: how many tasks ran at once, and
 * whether that made it faster (on a busy machine it may not).
 *
 * Run it:  deno run --allow-read --allow-env --allow-run recipes/cpu-bound.ts [--limit N]
 *          bun recipes/cpu-bound.ts [--limit N]
 *
 * Output on 2 idle cores (times elided: they are the machine's; measured
 * figures are in bench/results/REPORT.md, the cpu-bound workloads):
 *   4 CPU-bound tasks: count the primes below 2,000,000
 *   one after another, main thread        … ms   1.00×   one at a time (the baseline)
 *   4 concurrent fibers, main thread      … ms   1.00×   one at a time: no faster
 *   thread pool, 2 workers                … ms   1.9…×   2 at once on 2 workers: faster
 *   process pool, 2 workers               … ms   1.9…×   2 at once on 2 workers: faster
 */
import { Console, Effect } from "effect"
import { gather, run } from "effect-asyncio/coroutine"
import {
  type Executor,
  ProcessPoolExecutor,
  spanned,
  speedupTable,
  ThreadPoolExecutor,
  trial,
  workerFunction,
} from "effect-asyncio/executor"
import process from "node:process"
import { parseArgs } from "node:util"

/** Counts the primes below `limit` by trial division: pure CPU. `spanned` notes when and where. */
export const countPrimes = workerFunction(
  import.meta.url,
  "countPrimes",
  spanned((limit: number) => {
    let count = 0
    for (let n = 2; n < limit; n++) {
      let prime = true
      for (let d = 2; d * d <= n && prime; d++) prime = n % d !== 0
      if (prime) count++
    }
    return count
  }),
)

// Warm the pool's two workers first: start-up is not the lesson.
const onPool = (pool: Executor, limits: Array<number>) =>
  Effect.andThen(pool.map(countPrimes, [10, 10]), pool.map(countPrimes, limits))

export const main = (limit: number) =>
  Effect.scoped(Effect.gen(function* () {
    const limits = [limit, limit, limit, limit]
    const threads = yield* ThreadPoolExecutor.make({ maxWorkers: 2 })
    const processes = yield* ProcessPoolExecutor.make({ maxWorkers: 2 })
    yield* Console.log(`4 CPU-bound tasks: count the primes below ${limit.toLocaleString("en")}`)
    const trials = [
      yield* trial("one after another, main thread", Effect.sync(() => limits.map(countPrimes))),
      yield* trial(
        "4 concurrent fibers, main thread",
        gather(limits.map((n) => Effect.sync(() => countPrimes(n)))),
      ),
      yield* trial("thread pool, 2 workers", onPool(threads, limits)),
      yield* trial("process pool, 2 workers", onPool(processes, limits)),
    ]
    for (const line of speedupTable(trials)) yield* Console.log(line)
  }))

/** Reads `--limit N` (default 2,000,000). */
export const parseLimit = (args: ReadonlyArray<string>): number => {
  const options = { limit: { type: "string", default: "2000000" } } as const
  const { values } = parseArgs({ args: [...args], options })
  const limit = Number(values.limit)
  if (!(Number.isInteger(limit) && limit > 2)) {
    throw new RangeError(`--limit wants an integer above 2, got ${values.limit}`)
  }
  return limit
}

if (import.meta.main) run(main(parseLimit(process.argv.slice(2))))
