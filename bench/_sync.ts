/**
 * What the Queue, Semaphore and Lock benches share: one effect measured as
 * this library's primitive on each loop, and again in a process that opted
 * in to `effect-asyncio/no-async-context` (bench/_harness.ts).
 */
import { Effect } from "effect"
import { fastLoop, withLoop } from "effect-asyncio/loop"
import { type Variant, withNoAsyncContext } from "./_harness.ts"

/**
 * `effect()` on defaultLoop and on fastLoop, each also "+ no async context".
 * `baseline` marks the defaultLoop row as the baseline (where Effect's own
 * primitive cannot be measured at that size).
 */
export const libVariants = (
  what: string,
  effect: () => Effect.Effect<unknown, unknown>,
  baseline = false,
): Array<Variant> =>
  withNoAsyncContext([
    { name: `${what}, defaultLoop`, baseline, run: () => Effect.runPromise(effect()) },
    {
      name: `${what}, fastLoop`,
      run: () => Effect.runPromise(withLoop(fastLoop)(effect())),
    },
  ])
