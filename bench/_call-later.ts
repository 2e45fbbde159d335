/**
 * The variants of loop-swap's `call_later 100,000 over 100 ms` workload
 * (the definition is in bench/workloads.json; bench/loop-swap.bench.ts runs
 * it beside its Python peer): `n` callbacks, callback i due at
 * t0 + spanMs × (i + 1) / n. Each run reports the time beyond the span until
 * the last callback ran (the scheduling of the `n` is inside it) and, as
 * `maxLatenessMs`, the worst lateness of one callback.
 *
 * - raw `setTimeout`, one host timer per callback: the baseline;
 * - `callLater` with a plain function (asyncio's `call_later(delay, f, *args)`):
 *   no fiber at all; once through the Effect API (`yield* callLater(...)` per
 *   callback), once through `getRunningLoop`'s synchronous `loop.callLater`
 *   (asyncio's shape: a method of the loop);
 * - `callLater` with an Effect, on defaultLoop and on fastLoop: each callback
 *   starts a fiber, dropped at once since it does not suspend.
 */
import { Deferred, type Duration, Effect, type Scope } from "effect"
import {
  callLater,
  defaultLoop,
  fastLoop,
  getRunningLoop,
  type Loop,
  withLoop,
} from "effect-asyncio/loop"
import type { SelfTimed, Variant } from "./_harness.ts"

/** Counts the callbacks in, and resolves with the figures when the last one ran. */
const tracker = (n: number, spanMs: number, done: (figures: SelfTimed) => void) => {
  let left = n
  let worstLate = 0
  const start = performance.now()
  return {
    start,
    ran: (delay: number) => {
      const ran = performance.now()
      const late = ran - start - delay
      if (late > worstLate) worstLate = late
      if (--left === 0) done({ ms: ran - start - spanMs, extra: { maxLatenessMs: worstLate } })
    },
  }
}

const delayOf = (i: number, n: number, spanMs: number) => (spanMs * (i + 1)) / n

/**
 * Schedules the `n` callbacks with `scheduleAll` (given the callback to call
 * with each delay) inside a scope, and waits for the last one.
 */
const spread = (
  n: number,
  spanMs: number,
  scheduleAll: (ran: (delay: number) => void) => Effect.Effect<void, never, Scope.Scope>,
) =>
  Effect.scoped(Effect.gen(function* () {
    const allRan = yield* Deferred.make<SelfTimed>()
    const { ran } = tracker(n, spanMs, (figures) =>
      Deferred.doneUnsafe(allRan, Effect.succeed(figures)))
    yield* scheduleAll(ran)
    return yield* Deferred.await(allRan)
  }))

/** `yield* callLater(delay, f, delay)` per callback: the plain-function form. */
const plainSpread = (n: number, spanMs: number) =>
  spread(n, spanMs, (ran) =>
    Effect.gen(function* () {
      for (let i = 0; i < n; i++) {
        const delay = delayOf(i, n, spanMs)
        yield* callLater(delay as Duration.Input, ran, delay)
      }
    }))

/** `loop.callLater(delay, f, delay)` on `getRunningLoop`: the plain-function form, no Effect per call. */
const methodSpread = (n: number, spanMs: number) =>
  spread(n, spanMs, (ran) =>
    Effect.map(getRunningLoop, (loop) => {
      for (let i = 0; i < n; i++) {
        const delay = delayOf(i, n, spanMs)
        loop.callLater(delay as Duration.Input, ran, delay)
      }
    }))

/** `yield* callLater(delay, Effect.sync(...))` per callback: the Effect form. */
const effectSpread = (n: number, spanMs: number) =>
  spread(n, spanMs, (ran) =>
    Effect.gen(function* () {
      for (let i = 0; i < n; i++) {
        const delay = delayOf(i, n, spanMs)
        yield* callLater(delay as Duration.Input, Effect.sync(() => ran(delay)))
      }
    }))

const rawSpread = (n: number, spanMs: number) =>
  new Promise<SelfTimed>((resolve) => {
    const { ran } = tracker(n, spanMs, resolve)
    for (let i = 0; i < n; i++) {
      const delay = delayOf(i, n, spanMs)
      setTimeout(() => ran(delay), delay)
    }
  })

/** A self-timed variant running `effect` on `loop`. */
const onLoop = (name: string, loop: Loop, effect: Effect.Effect<SelfTimed>): Variant => ({
  name: `${name} (${loop.name})`,
  run: () => Effect.runPromise(withLoop(loop)(effect)),
  selfTimed: true,
})

/** The call_later variants; raw setTimeout is the baseline. */
export const callLaterVariants = (n: number, spanMs: number): Array<Variant> => [
  { name: "setTimeout (raw)", baseline: true, run: () => rawSpread(n, spanMs), selfTimed: true },
  onLoop("callLater plain function", defaultLoop, plainSpread(n, spanMs)),
  onLoop("loop.callLater plain function, sync method", defaultLoop, methodSpread(n, spanMs)),
  onLoop("callLater Effect", defaultLoop, effectSpread(n, spanMs)),
  onLoop("callLater Effect", fastLoop, effectSpread(n, spanMs)),
]
