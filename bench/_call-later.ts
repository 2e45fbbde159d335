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
import { Deferred, Effect } from "effect"
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

/** `callLater(delay, f, delay)`: the plain-function form. */
const plainSpread = (n: number, spanMs: number) =>
  Effect.scoped(Effect.gen(function* () {
    const allRan = yield* Deferred.make<SelfTimed>()
    const { ran } = tracker(n, spanMs, (figures) =>
      Deferred.doneUnsafe(allRan, Effect.succeed(figures)))
    for (let i = 0; i < n; i++) {
      const delay = delayOf(i, n, spanMs)
      yield* callLater(delay, ran, delay)
    }
    return yield* Deferred.await(allRan)
  }))

/** `loop.callLater(delay, f, delay)` on `getRunningLoop`: the plain-function form, no Effect per call. */
const methodSpread = (n: number, spanMs: number) =>
  Effect.scoped(Effect.gen(function* () {
    const allRan = yield* Deferred.make<SelfTimed>()
    const { ran } = tracker(n, spanMs, (figures) =>
      Deferred.doneUnsafe(allRan, Effect.succeed(figures)))
    const loop = yield* getRunningLoop
    for (let i = 0; i < n; i++) {
      const delay = delayOf(i, n, spanMs)
      loop.callLater(delay, ran, delay)
    }
    return yield* Deferred.await(allRan)
  }))

/** `callLater(delay, Effect.sync(...))`: the Effect form. */
const effectSpread = (n: number, spanMs: number) =>
  Effect.scoped(Effect.gen(function* () {
    const allRan = yield* Deferred.make<SelfTimed>()
    const { ran } = tracker(n, spanMs, (figures) =>
      Deferred.doneUnsafe(allRan, Effect.succeed(figures)))
    for (let i = 0; i < n; i++) {
      const delay = delayOf(i, n, spanMs)
      yield* callLater(
        delay,
        Effect.sync(() =>
          ran(delay)
        ),
      )
    }
    return yield* Deferred.await(allRan)
  }))

const rawSpread = (n: number, spanMs: number) =>
  new Promise<SelfTimed>((resolve) => {
    const { ran } = tracker(n, spanMs, resolve)
    for (let i = 0; i < n; i++) {
      const delay = delayOf(i, n, spanMs)
      setTimeout(() => ran(delay), delay)
    }
  })

const onLoop = (loop: Loop, effect: Effect.Effect<SelfTimed>) => () =>
  Effect.runPromise(withLoop(loop)(effect))

/** The call_later variants; raw setTimeout is the baseline. */
export const callLaterVariants = (n: number, spanMs: number): Array<Variant> => [
  { name: "setTimeout (raw)", baseline: true, run: () => rawSpread(n, spanMs), selfTimed: true },
  {
    name: "callLater plain function (defaultLoop)",
    run: onLoop(defaultLoop, plainSpread(n, spanMs)),
    selfTimed: true,
  },
  {
    name: "loop.callLater plain function, sync method (defaultLoop)",
    run: onLoop(defaultLoop, methodSpread(n, spanMs)),
    selfTimed: true,
  },
  {
    name: "callLater Effect (defaultLoop)",
    run: onLoop(defaultLoop, effectSpread(n, spanMs)),
    selfTimed: true,
  },
  {
    name: "callLater Effect (fastLoop)",
    run: onLoop(fastLoop, effectSpread(n, spanMs)),
    selfTimed: true,
  },
]
