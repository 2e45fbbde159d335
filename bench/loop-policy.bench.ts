/**
 * Bench for recipes/loop-policy.ts — does installing the loop for the whole
 * program (the `set_event_loop_policy` analog: `loopLayer(fastLoop)` at the
 * root) cost or give anything beyond swapping it for one region
 * (`withLoop(fastLoop)`)? The same spawn-gather as bench/loop-swap.bench.ts,
 * three ways: Effect's default scheduler (baseline), a region, the policy.
 */
import { Effect } from "effect"
import { fastLoop, loopLayer, withLoop } from "effect-asyncio/loop"
import { spawnGather } from "./_spawn-gather.ts"
import { runBench } from "./_harness.ts"
import { fromDef } from "./workloads.ts"

const def = fromDef("loop-policy", "spawn-gather 100,000 under a loop policy")
const n = def.ops

if (import.meta.main) {
  await runBench([{
    ...def,
    variants: [
      {
        name: "defaultLoop (Effect MixedScheduler)",
        baseline: true,
        run: () => Effect.runPromise(spawnGather(n)),
      },
      {
        name: "withLoop(fastLoop), a region",
        run: () => Effect.runPromise(withLoop(fastLoop)(spawnGather(n))),
      },
      {
        name: "loopLayer(fastLoop), the whole program",
        run: () => Effect.runPromise(Effect.provide(spawnGather(n), loopLayer(fastLoop))),
      },
    ],
  }])
}
