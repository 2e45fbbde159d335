/**
 * The spawn-gather workload of the loop benches: `n` tasks that each yield
 * to the loop once and return their index, gathered (as in run-concurrently's
 * bench).
 */
import { Effect } from "effect"

/** `n` fibers that each yield once and return their index, in order. */
export const spawnGather = (n: number) =>
  Effect.all(Array.from({ length: n }, (_, i) => Effect.as(Effect.yieldNow, i)), {
    concurrency: "unbounded",
  })
