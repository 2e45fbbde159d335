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
 * primitive cannot be measured at that size); `fastLoop: false` leaves the
 * fastLoop rows out (the largest sizes, to keep the session short).
 */
export const libVariants = (
  what: string,
  effect: () => Effect.Effect<unknown, unknown>,
  options: { readonly baseline?: boolean; readonly fastLoop?: boolean } = {},
): Array<Variant> =>
  withNoAsyncContext([
    {
      name: `${what}, defaultLoop`,
      baseline: options.baseline ?? false,
      run: () => Effect.runPromise(effect()),
    },
    ...(options.fastLoop === false ? [] : [{
      name: `${what}, fastLoop`,
      run: () => Effect.runPromise(withLoop(fastLoop)(effect())),
    }]),
  ])
