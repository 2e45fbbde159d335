/**
 * Bench for recipes/executor-cluster.ts — a `ClusterExecutor` on 2 local
 * runners (one worker process each, an embedded Postgres) beside the process
 * pool (2 worker processes) on the same machine.
 *
 * - round trip: 1 000 sequential `add(i, 1)`, µs per task;
 * - throughput: 1 000 and 10 000 `add(i, 1)`, one `submit` per task (each its
 *   own fiber) and as one `map`, tasks/s;
 * - failover: ms from SIGKILL of the runner running a task to that task
 *   running on the other runner (bench/_cluster-failover.ts).
 *
 * What a cluster costs is per message, not per task: the executor sends the
 * submits of one tick as a few messages, and a `map` as slices of up to 512
 * calls. Each cluster workload runs twice: on the cluster as shipped (mutual
 * TLS between members, every message signed) and on one as it was before
 * (plain TCP, unsigned; the bench-only `makeInsecureLocalForBench`, loopback
 * only), so what TLS and signing cost is read from the same run. Names, sizes and samples come from bench/workloads.json; the Python
 * peer is Dask distributed (bench/peers/asyncio/executor-cluster.py).
 *
 * The machine may be shared: the load average is printed before each workload.
 */
import { Effect } from "effect"
import { ProcessPoolExecutor } from "effect-asyncio/executor"
import { ClusterExecutor } from "effect-asyncio/cluster"
import { makeInsecureLocalForBench } from "../lib/cluster/executor.ts"
import { fromDef, param } from "./workloads.ts"
import { runBench, type Variant } from "./_harness.ts"
import { add, concurrent, loadAverage, longLived, range, sequential } from "./_executor.ts"
import { failoverOnce } from "./_cluster-failover.ts"

if (import.meta.main) {
  const bench = "executor-cluster"
  const roundTripDef = fromDef(bench, "round-trip 1,000 sequential")
  const thousandDef = fromDef(bench, "throughput 1,000 concurrent")
  const tenThousandDef = fromDef(bench, "throughput 10,000 concurrent")
  const runners = param(bench, "round-trip 1,000 sequential", "runners")
  const workers = param(bench, "round-trip 1,000 sequential", "workers")

  const processes = await longLived(ProcessPoolExecutor.make({ maxWorkers: workers }))
  const cluster = await longLived(
    Effect.orDie(ClusterExecutor.make({ runners, poolSize: workers / runners })),
  )
  const plain = await longLived(
    Effect.orDie(makeInsecureLocalForBench({ runners, poolSize: workers / runners })),
  )
  // Warm: every entity id the executor uses gets created on its runner once.
  for (const c of [cluster, plain]) {
    await Effect.runPromise(c.pool.map(add, range(2_000), range(2_000).fill(1)))
    await sequential(c.pool, 200)
  }
  const secure = `${runners} runners, mTLS + signed`
  const insecure = `${runners} runners, plain TCP, unsigned`

  console.log(`load average: ${await loadAverage()}`)
  await runBench([{
    ...roundTripDef,
    variants: [
      {
        name: `ProcessPoolExecutor submit (lib, ${workers} workers)`,
        baseline: true,
        run: () => sequential(processes.pool, roundTripDef.ops),
      },
      {
        name: `ClusterExecutor submit (lib, ${secure})`,
        run: () => sequential(cluster.pool, roundTripDef.ops),
      },
      {
        name: `ClusterExecutor submit (lib, ${insecure})`,
        run: () => sequential(plain.pool, roundTripDef.ops),
      },
    ],
  }])

  const throughput = (n: number): Array<Variant> => [
    {
      name: `ProcessPoolExecutor submit ×N (lib, ${workers} workers)`,
      baseline: true,
      run: () => concurrent(processes.pool, n),
    },
    {
      name: `ProcessPoolExecutor map (lib, ${workers} workers)`,
      run: () => Effect.runPromise(processes.pool.map(add, range(n), range(n).fill(1))),
    },
    {
      name: `ClusterExecutor submit ×N (lib, ${secure})`,
      run: () => concurrent(cluster.pool, n),
    },
    {
      name: `ClusterExecutor submit ×N (lib, ${insecure})`,
      run: () => concurrent(plain.pool, n),
    },
    {
      name: `ClusterExecutor map (lib, ${secure})`,
      run: () => Effect.runPromise(cluster.pool.map(add, range(n), range(n).fill(1))),
    },
    {
      name: `ClusterExecutor map (lib, ${insecure})`,
      run: () => Effect.runPromise(plain.pool.map(add, range(n), range(n).fill(1))),
    },
  ]
  for (const def of [thousandDef, tenThousandDef]) {
    console.log(`load average: ${await loadAverage()}`)
    await runBench([{ ...def, variants: throughput(def.ops) }])
  }

  await processes.close()
  await cluster.close()
  await plain.close()

  // Failover: each sample starts its own cluster, since it kills a runner of it.
  const failoverDef = fromDef(bench, "failover SIGKILL")
  console.log(`load average: ${await loadAverage()}`)
  await runBench([{
    ...failoverDef,
    variants: [{
      name: `ClusterExecutor, runner SIGKILLed mid-task (lib, 2 runners)`,
      baseline: true,
      selfTimed: true,
      run: failoverOnce,
    }],
  }])
}
