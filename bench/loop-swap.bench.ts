/**
 * Bench for recipes/loop-swap.ts and recipes/loop-policy.ts — the same
 * fiber-heavy workloads on defaultLoop (Effect's MixedScheduler, the
 * baseline) and on fastLoop (FastScheduler), with the raw-Promise version
 * beside them.
 *
 * - spawn-gather: N tasks that each yield once and return their index,
 *   gathered (the definition of bench/run-concurrently.bench.ts);
 * - yield-spin: 1 000 fibers that each yield 100 times (the fairness test's
 *   load, timed), ns per yield.
 */
import { Effect } from "effect"
import { defaultLoop, fastLoop, type Loop, withLoop } from "effect-asyncio/loop"
import { spawnGather } from "../recipes/loop-swap.ts"
import { runBench, type Variant, type Workload } from "./_harness.ts"

const loops: ReadonlyArray<Loop> = [defaultLoop, fastLoop]
const onLoops = (effect: () => Effect.Effect<unknown>): Array<Variant> =>
  loops.map((loop) => ({
    name: `${loop.name} (${loop === defaultLoop ? "Effect MixedScheduler" : "FastScheduler"})`,
    baseline: loop === defaultLoop,
    run: () => Effect.runPromise(withLoop(loop)(effect())),
  }))

const spawnGatherWorkload = (n: number): Workload => ({
  bench: "loop-swap",
  workload: `spawn-gather ${n.toLocaleString("en")}`,
  unit: "µs/task",
  ops: n,
  samples: 9,
  variants: [
    ...onLoops(() => spawnGather(n)),
    {
      name: "Promise.all (raw)",
      run: () =>
        Promise.all(Array.from({ length: n }, async (_, i) => {
          await null
          return i
        })),
    },
  ],
})

const yieldSpin = (fibers: number, yields: number) =>
  Effect.all(
    Array.from({ length: fibers }, () =>
      Effect.gen(function* () {
        for (let i = 0; i < yields; i++) yield* Effect.yieldNow
      })),
    { concurrency: "unbounded", discard: true },
  )

const yieldSpinWorkload = (fibers: number, yields: number): Workload => ({
  bench: "loop-swap",
  workload: `yield-spin ${fibers.toLocaleString("en")} fibers × ${yields} yields`,
  unit: "ns/op",
  ops: fibers * yields,
  samples: 9,
  variants: [
    ...onLoops(() => yieldSpin(fibers, yields)),
    {
      name: "async functions awaiting null (raw)",
      run: () =>
        Promise.all(Array.from({ length: fibers }, async () => {
          for (let i = 0; i < yields; i++) await null
        })),
    },
  ],
})

if (import.meta.main) {
  await runBench([spawnGatherWorkload(100_000), yieldSpinWorkload(1_000, 100)])
}
