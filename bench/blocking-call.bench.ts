/**
 * Bench for recipes/blocking-call.ts.
 *
 * - heartbeat lateness (three workloads, as bench/workloads.json and the
 *   Python peer define them): the worst lateness of a 10 ms heartbeat while
 *   another fiber waits 200 ms, non-blocking, blocking, and with the blocking
 *   call in the executor. Each blocking workload measures the non-blocking
 *   wait in the same run as its baseline, so its table shows the cost of
 *   blocking beside the asyncio and uvloop rows.
 * - the lag monitor's own cost (TypeScript only): spawn-gather 100 000 (as in
 *   bench/run-concurrently.bench.ts) with and without a monitor running
 *   (target: under 3%).
 */
import { Effect } from "effect"
import { gather } from "effect-asyncio/coroutine"
import { runInExecutor } from "effect-asyncio/executor"
import * as LagMonitor from "effect-asyncio/lag-monitor"
import { blockingSleep } from "../recipes/blocking-call.ts"
import { worstLateness } from "effect-asyncio/lag-monitor"
import { runBench, type Variant, type Workload } from "./_harness.ts"
import { fromDef, param } from "./workloads.ts"
import process from "node:process"

const bench = "blocking-call"

/**
 * One heartbeat workload: its own wait, beside the non-blocking wait measured
 * in the same run as the baseline (so the table shows what blocking costs).
 */
const heartbeat = (
  name: string,
  variant: string,
  wait: (ms: number) => Effect.Effect<unknown, unknown>,
) => {
  // The recipe's heartbeat ticks every 10 ms, with 3 ticks before and after the wait.
  if (param(bench, name, "intervalMs") !== 10) throw new Error(`${name}: intervalMs must be 10`)
  const waitMs = param(bench, name, "waitMs")
  const variants: Array<Variant> = [
    {
      name: "Effect.sleep (non-blocking)",
      baseline: true,
      selfTimed: true,
      run: () => Effect.runPromise(worstLateness(Effect.sleep(waitMs))),
    },
  ]
  if (variant !== variants[0].name) {
    variants.push({
      name: variant,
      selfTimed: true,
      run: () => Effect.runPromise(worstLateness(wait(waitMs))),
    })
  }
  return { ...fromDef(bench, name), variants } satisfies Workload
}

const lagMonitorOverhead = (): Workload => {
  const def = fromDef(bench, "lag monitor overhead, spawn-gather 100,000")
  const spawnGather = () =>
    gather(Array.from({ length: def.ops }, (_, i) => Effect.as(Effect.yieldNow, i)))
  return {
    ...def,
    variants: [
      { name: "no monitor", baseline: true, run: () => Effect.runPromise(spawnGather()) },
      {
        name: "with LagMonitor (10 ms ticks)",
        run: () =>
          Effect.runPromise(Effect.scoped(Effect.andThen(LagMonitor.make(), spawnGather()))),
      },
    ],
  }
}

if (import.meta.main) {
  await Effect.runPromise(runInExecutor(null, blockingSleep, 0)) // start the default executor
  await runBench([
    heartbeat(
      "heartbeat lateness, non-blocking wait 200 ms",
      "Effect.sleep (non-blocking)",
      (ms) => Effect.sleep(ms),
    ),
    heartbeat(
      "heartbeat lateness, blocking wait 200 ms",
      "Atomics.wait (blocking)",
      (ms) => Effect.sync(() => blockingSleep(ms)),
    ),
    heartbeat(
      "heartbeat lateness, blocking wait in executor 200 ms",
      "Atomics.wait in the executor",
      (ms) => runInExecutor(null, blockingSleep, ms),
    ),
    lagMonitorOverhead(),
  ])
  process.exit(0) // the default executor's worker is unref'd, but do not wait for it
}
