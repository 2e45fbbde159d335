/**
 * Bench for recipes/timeouts.ts — `timeout` entered and left many times in a
 * row (bench/workloads.json):
 * - enter/exit: the body returns at once without suspending (no deadline is
 *   ever armed: the block ends before it could expire);
 * - around a yield: the body yields to the loop once, so the deadline is
 *   armed (a host timer) and disarmed each time.
 * Variants: `timeout` on defaultLoop (the baseline) and fastLoop, each also
 * "+ no async context"; beside them Effect's own `Effect.timeout` (no
 * `when`/`reschedule`/`expired`). The Python peer (bench/peers/asyncio/timeouts.py)
 * runs `async with asyncio.timeout(10)` on asyncio and uvloop.
 */
import { Effect } from "effect"
import { timeout } from "effect-asyncio/timeout"
import { runBench, withNoAsyncContext, type Workload } from "./_harness.ts"
import { onLoops } from "./loop-swap.bench.ts"
import { fromDef } from "./workloads.ts"

/** n timeout blocks in a row around `body`. */
export const enterExit = (n: number, body: Effect.Effect<void>) =>
  Effect.gen(function* () {
    for (let i = 0; i < n; i++) yield* timeout("10 seconds", body)
  })

const effectTimeout = (n: number, body: Effect.Effect<void>) =>
  Effect.gen(function* () {
    for (let i = 0; i < n; i++) yield* Effect.timeout(body, "10 seconds")
  })

const workload = (name: string, body: Effect.Effect<void>): Workload => {
  const def = fromDef("timeouts", name)
  const n = def.ops
  return {
    ...def,
    variants: [
      ...withNoAsyncContext(onLoops(() => Effect.orDie(enterExit(n, body)))),
      { name: "Effect.timeout (bare)", run: () => Effect.runPromise(effectTimeout(n, body)) },
    ],
  }
}

if (import.meta.main) {
  await runBench([
    workload("timeout enter/exit 1,000,000", Effect.void),
    workload("timeout around a yield 100,000", Effect.yieldNow),
  ])
}
