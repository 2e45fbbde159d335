/**
 * Bench for recipes/blocking-call.ts.
 *
 * - heartbeat max lateness: the worst lateness of a 10 ms heartbeat while
 *   another fiber waits 200 ms, non-blocking (baseline), blocking, and with the
 *   blocking call in the executor.
 * - the lag monitor's own cost: spawn-gather 100 000 (as in
 *   bench/run-concurrently.bench.ts) with and without a monitor running
 *   (target: under 3%).
 */
import { Effect } from "effect"
import { gather } from "effect-asyncio/coroutine"
import { runInExecutor } from "effect-asyncio/executor"
import * as LagMonitor from "effect-asyncio/lag-monitor"
import { blockingSleep, cases, heartbeatWhile } from "../recipes/blocking-call.ts"
import { runBench } from "./_harness.ts"
import process from "node:process"

const N = 100_000
const spawnGather = () => gather(Array.from({ length: N }, (_, i) => Effect.as(Effect.yieldNow, i)))

if (import.meta.main) {
  await Effect.runPromise(runInExecutor(null, blockingSleep, 0)) // start the default executor
  await runBench([
    {
      bench: "blocking-call",
      workload: "heartbeat max lateness, 200 ms wait",
      unit: "ms",
      ops: 1,
      samples: 5,
      variants: Object.entries(cases).map(([name, waiter], i) => ({
        name,
        baseline: i === 0,
        selfTimed: true,
        run: () => Effect.runPromise(heartbeatWhile(waiter)),
      })),
    },
    {
      bench: "blocking-call",
      workload: "lag monitor overhead, spawn-gather 100,000",
      unit: "µs/task",
      ops: N,
      samples: 15,
      variants: [
        { name: "no monitor", baseline: true, run: () => Effect.runPromise(spawnGather()) },
        {
          name: "with LagMonitor (10 ms ticks)",
          run: () =>
            Effect.runPromise(Effect.scoped(Effect.andThen(LagMonitor.make(), spawnGather()))),
        },
      ],
    },
  ])
  process.exit(0) // the default executor's worker is unref'd, but do not wait for it
}
