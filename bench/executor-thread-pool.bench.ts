/**
 * Bench for recipes/executor-thread-pool.ts — the thread pool against a raw
 * worker (no pool) and the pool libraries piscina and tinypool (bench-only
 * dev dependencies), all with 2 workers on a 2-core machine.
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
import { Piscina } from "piscina"
import { Tinypool } from "tinypool"
import { ThreadPoolExecutor } from "effect-asyncio/executor"
import { fromDef } from "./workloads.ts"
import { runBench, type Workload } from "./_harness.ts"
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

const poolLibraryWorker = new URL("./_pool-library-worker.ts", import.meta.url).href

if (import.meta.main) {
  const web = rawWorker("web")
  const node = rawWorker("node")
  const bench = "executor-thread-pool"
  const roundTripDef = fromDef(bench, "round-trip 2,000 sequential")
  const throughputDef = fromDef(bench, "throughput 10,000 concurrent")
  const n = roundTripDef.ops
  const m = throughputDef.ops
  const workers = poolSize(bench)
  const raw = rawBaselines(web, n, m)
  const { pool, close } = await longLived(ThreadPoolExecutor.make({ maxWorkers: workers }))
  const libraryOptions = { filename: poolLibraryWorker, minThreads: workers, maxThreads: workers }
  const piscina = new Piscina(libraryOptions)
  const tinypool = new Tinypool(libraryOptions)

  console.log(`load average: ${await loadAverage()}`)
  const roundTrip: Workload = {
    ...roundTripDef,
    variants: [
      raw.roundTrip,
      {
        name: "raw worker_threads + postMessage",
        run: async () => {
          for (let i = 0; i < n; i++) await node.call(i, 1)
        },
      },
      { name: "ThreadPoolExecutor submit (lib)", run: () => sequential(pool, n) },
      {
        name: "piscina",
        run: async () => {
          for (let i = 0; i < n; i++) await piscina.run({ a: i, b: 1 })
        },
      },
      {
        name: "tinypool",
        run: async () => {
          for (let i = 0; i < n; i++) await tinypool.run({ a: i, b: 1 })
        },
      },
    ],
  }

  const throughput: Workload = {
    ...throughputDef,
    variants: [
      raw.throughput,
      { name: "raw worker_threads + postMessage", run: () => node.burst(m) },
      { name: "ThreadPoolExecutor submit ×N (lib)", run: () => concurrent(pool, m) },
      {
        name: "ThreadPoolExecutor map (lib)",
        run: () => Effect.runPromise(pool.map(add, range(m), range(m).fill(1))),
      },
      {
        name: "piscina",
        run: () => Promise.all(range(m).map((i) => piscina.run({ a: i, b: 1 }))),
      },
      {
        name: "tinypool",
        run: () => Promise.all(range(m).map((i) => tinypool.run({ a: i, b: 1 }))),
      },
    ],
  }

  await runBench([roundTrip])
  console.log(`load average: ${await loadAverage()}`)
  await runBench([throughput])

  // 100 MB there and back, on a pool of one worker (started and warmed).
  const big = await bigRoundTrip(
    web,
    fromDef(bench, "round trip, 100 MB argument"),
    "ThreadPoolExecutor submit (lib)",
    ThreadPoolExecutor.make({ maxWorkers: 1 }),
  )
  console.log(`load average: ${await loadAverage()}`)
  await runBench([big.workload])
  await big.close()

  web.close()
  node.close()
  await piscina.destroy()
  await tinypool.destroy()
  await close()
}
