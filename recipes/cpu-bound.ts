/**
 * The common misconception, part 2: fibers do not make CPU-bound work parallel.
 *
 * Fibers, like asyncio's coroutines, take turns on one thread. Four CPU-bound
 * tasks run as four fibers finish no sooner than one after another: there is
 * no waiting to overlap, only computing, and one thread computes one thing
 * at a time. To use more cores the work must move to other threads or
 * processes: the executors, as the playbook says (threads or
 * multiprocessing). Unlike CPython's threads, JavaScript's worker threads
 * have no GIL, so the thread pool scales as well as the process pool.
 *
 * Run it:  deno run -A recipes/cpu-bound.ts [--limit N]   |   bun recipes/cpu-bound.ts [--limit N]
 * `--limit` sets the prime bound (default: one that takes about 0.5 s here).
 *
 * Output (measured here, 2 cores; Deno, then Bun's figures in brackets):
 *   4 CPU-bound tasks: count the primes below 2,629,776
 *   one after another, main thread      1,799 ms   1.00×               [1,770 ms]
 *   4 concurrent fibers, main thread    1,798 ms   1.00×   (no faster: one thread)   [1.01×]
 *   thread pool, 2 workers                895 ms   2.01×               [1.95×]
 *   process pool, 2 workers               910 ms   1.98×               [1.97×]
 */
import { Console, Effect } from "effect"
import { gather, run } from "effect-asyncio/coroutine"
import {
  type Executor,
  ProcessPoolExecutor,
  task,
  ThreadPoolExecutor,
} from "effect-asyncio/executor"
import process from "node:process"

/** Counts the primes below `limit` by trial division: pure CPU, no I/O. */
export const countPrimes = task(import.meta.url, "countPrimes", (limit: number): number => {
  let count = 0
  for (let n = 2; n < limit; n++) {
    let prime = true
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false
        break
      }
    }
    if (prime) count++
  }
  return count
})

/** A bound for which `countPrimes` takes about `ms` on this machine (measured once). */
export const calibratePrimes = (ms: number): number => {
  let limit = 200_000
  for (;;) {
    const started = performance.now()
    countPrimes(limit)
    const took = performance.now() - started
    // Trial division up to n costs about n^1.5 in all.
    if (took > 50) return Math.round(limit * Math.pow(ms / took, 2 / 3))
    limit *= 2
  }
}

const TASKS = 4
const WORKERS = 2

/** Wall time of `effect`, in ms. */
export const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const started = performance.now()
    const value = yield* effect
    return { value, ms: performance.now() - started }
  })

/** All TASKS tasks on a warmed-up pool (start-up is not the lesson). */
const onPool = (pool: Executor, limit: number) =>
  Effect.gen(function* () {
    yield* pool.map(countPrimes, Array.from({ length: WORKERS }, () => 10))
    return yield* timed(pool.map(countPrimes, Array.from({ length: TASKS }, () => limit)))
  })

export const main = (limit: number) =>
  Effect.scoped(Effect.gen(function* () {
    yield* Console.log(
      `${TASKS} CPU-bound tasks: count the primes below ${limit.toLocaleString("en")}`,
    )
    const limits = Array.from({ length: TASKS }, () => limit)
    const rows: Array<[string, { value: Array<number>; ms: number }, string?]> = [
      ["one after another, main thread", yield* timed(Effect.sync(() => limits.map(countPrimes)))],
      [
        `${TASKS} concurrent fibers, main thread`,
        yield* timed(gather(limits.map((n) => Effect.sync(() => countPrimes(n))))),
        "(no faster: one thread)",
      ],
      [
        `thread pool, ${WORKERS} workers`,
        yield* onPool(yield* ThreadPoolExecutor.make({ maxWorkers: WORKERS }), limit),
      ],
      [
        `process pool, ${WORKERS} workers`,
        yield* onPool(yield* ProcessPoolExecutor.make({ maxWorkers: WORKERS }), limit),
      ],
    ]
    const sequential = rows[0][1].ms
    for (const [name, { value, ms }, note] of rows) {
      // Every way computes the same counts; only the wall time differs.
      if (value.join() !== rows[0][1].value.join()) {
        throw new Error(`${name}: wrong counts ${value}`)
      }
      const speedup = `${(sequential / ms).toFixed(2)}×`
      yield* Console.log(
        `${name.padEnd(34)} ${Math.round(ms).toLocaleString("en").padStart(6)} ms  ${
          speedup.padStart(6)
        }${note ? `   ${note}` : ""}`,
      )
    }
  }))

/** Reads `--limit N`; without it, calibrates for about 0.5 s a task. */
export const parseLimit = (args: ReadonlyArray<string>): number => {
  const at = args.indexOf("--limit")
  if (at === -1) return calibratePrimes(500)
  const limit = Number(args[at + 1])
  if (!(Number.isInteger(limit) && limit > 2)) {
    throw new Error(`--limit wants an integer above 2, got ${args[at + 1]}`)
  }
  return limit
}

if (import.meta.main) run(main(parseLimit(process.argv.slice(2))))
