/**
 * Bench for recipes/executor-thread-pool.ts — the thread pool against a raw
 * worker (no pool) and the peers, piscina and tinypool (bench-only dev
 * dependencies), all with 2 workers on a 2-core machine.
 *
 * - round trip: 2 000 sequential `add(i, 1)`, µs per task;
 * - throughput: 10 000 `add(i, 1)` submitted at once, tasks/s;
 * - CPU speedup: 4 prime counts of ~0.5 s, main thread vs 2 workers, ms.
 *
 * The machine may be shared: the load average is printed before each workload.
 */
import { Effect } from "effect"
import { Piscina } from "piscina"
import { Tinypool } from "tinypool"
import { ThreadPoolExecutor } from "effect-asyncio/executor"
import { runBench, type Workload } from "./_harness.ts"
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

const peerWorker = new URL("./_peer-worker.ts", import.meta.url).href

if (import.meta.main) {
  const web = rawWorker("web")
  const node = rawWorker("node")
  const { pool, close } = await longLived(ThreadPoolExecutor.make({ maxWorkers: 2 }))
  const piscina = new Piscina({ filename: peerWorker, minThreads: 2, maxThreads: 2 })
  const tinypool = new Tinypool({ filename: peerWorker, minThreads: 2, maxThreads: 2 })

  const n = 2_000
  console.log(`load average: ${await loadAverage()}`)
  const roundTrip: Workload = {
    bench: "executor-thread-pool",
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

  const m = 10_000
  const throughput: Workload = {
    bench: "executor-thread-pool",
    workload: `throughput: ${m.toLocaleString("en")} add(i, 1) at once`,
    unit: "ops/s",
    ops: m,
    variants: [
      { name: "raw Worker + postMessage (Web Worker)", baseline: true, run: () => web.burst(m) },
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

  const limit = calibratePrimes(500)
  console.log(`countPrimes(${limit}) ≈ 0.5 s; load average: ${await loadAverage()}`)
  await runBench([{
    bench: "executor-thread-pool",
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
        name: "ThreadPoolExecutor, 2 workers (lib)",
        run: () => Effect.runPromise(pool.map(countPrimes, [limit, limit, limit, limit])),
      },
    ],
  }])

  web.close()
  node.close()
  await piscina.destroy()
  await tinypool.destroy()
  await close()
}
