/**
 * Bench for recipes/loop-swap.ts (recipes/loop-policy.ts has its own) — the same
 * fiber-heavy workloads on defaultLoop (Effect's MixedScheduler, the
 * baseline) and on fastLoop (FastScheduler), with the raw-Promise version
 * beside them. Names, sizes and samples come from bench/workloads.json; the
 * Python peer (bench/peers/asyncio/loop-swap.py) runs the same workloads on
 * asyncio's loop and on uvloop.
 *
 * - call_later: 100 000 callbacks, callback i due at t0 + 100 ms × (i + 1) / n;
 *   the time beyond the 100 ms until the last ran (the scheduling of the
 *   100 000 is inside it), and the worst lateness of one callback beside it;
 * - spawn-gather: N tasks that each yield once and return their index,
 *   gathered (the definition of bench/run-concurrently.bench.ts);
 * - yield-spin (TypeScript only): 1 000 fibers that each yield 100 times (the
 *   fairness test's load, timed), ns per yield.
 * spawn-gather and yield-spin also run each loop "+ no async context", in a
 * process that opted in to `effect-asyncio/no-async-context` (bench/_harness.ts).
 */
import { Effect } from "effect"
import { defaultLoop, fastLoop, type Loop, withLoop } from "effect-asyncio/loop"
import { spawnGather } from "./_spawn-gather.ts"
import { runBench, type Variant, withNoAsyncContext, type Workload } from "./_harness.ts"
import { callLaterVariants } from "./_call-later.ts"
import { fromDef, param } from "./workloads.ts"

const loops: ReadonlyArray<Loop> = [defaultLoop, fastLoop]
/** One variant per loop (defaultLoop is the baseline), each running `effect()` on its loop. */
export const onLoops = (effect: () => Effect.Effect<unknown>, selfTimed = false): Array<Variant> =>
  loops.map((loop) => ({
    name: `${loop.name} (${loop === defaultLoop ? "Effect MixedScheduler" : "FastScheduler"})`,
    baseline: loop === defaultLoop,
    run: () => Effect.runPromise(withLoop(loop)(effect())),
    selfTimed,
  }))

// --- call_later ---------------------------------------------------------------

const callLaterWorkload = (): Workload => {
  const name = "call_later 100,000 over 100 ms"
  const def = fromDef("loop-swap", name)
  // The variants (plain function, Effect, raw setTimeout) are in bench/_call-later.ts.
  return { ...def, variants: callLaterVariants(def.ops, param("loop-swap", name, "spanMs")) }
}

// --- spawn-gather -------------------------------------------------------------

const spawnGatherWorkload = (): Workload => {
  const def = fromDef("loop-swap", "spawn-gather 100,000")
  const n = def.ops
  return {
    ...def,
    variants: [
      ...withNoAsyncContext(onLoops(() => spawnGather(n))),
      {
        name: "Promise.all (raw)",
        run: () =>
          Promise.all(Array.from({ length: n }, async (_, i) => {
            await null
            return i
          })),
      },
    ],
  }
}

// --- yield-spin (TypeScript only) ---------------------------------------------

const yieldSpin = (fibers: number, yields: number) =>
  Effect.all(
    Array.from({ length: fibers }, () =>
      Effect.gen(function* () {
        for (let i = 0; i < yields; i++) yield* Effect.yieldNow
      })),
    { concurrency: "unbounded", discard: true },
  )

const yieldSpinWorkload = (): Workload => {
  const name = "yield-spin 1,000 fibers × 100 yields"
  const fibers = param("loop-swap", name, "fibers")
  const yields = param("loop-swap", name, "yields")
  return {
    ...fromDef("loop-swap", name),
    variants: [
      ...withNoAsyncContext(onLoops(() => yieldSpin(fibers, yields))),
      {
        name: "async functions awaiting null (raw)",
        run: () =>
          Promise.all(Array.from({ length: fibers }, async () => {
            for (let i = 0; i < yields; i++) await null
          })),
      },
    ],
  }
}

if (import.meta.main) {
  await runBench([callLaterWorkload(), spawnGatherWorkload(), yieldSpinWorkload()])
}
