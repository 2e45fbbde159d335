/**
 * The event loop, asyncio-shaped: `callSoon`, `callLater`, `callAt` and
 * `time`, with handles that `cancel`.
 *
 * In asyncio these are methods of the loop; here they are effects that fork
 * the callback as a fiber in the caller's `Scope` (the program's scope under
 * `run`), so a callback that has not run yet is dropped when the program
 * ends, and nothing outlives it. Time is Effect's `Clock`, so `TestClock`
 * drives them in tests.
 *
 * @example Schedule, cancel, and let the rest run
 * ```ts
 * import { Effect } from "effect"
 * import { callLater, callSoon } from "effect-asyncio/loop"
 * import assert from "node:assert/strict"
 *
 * const seen: Array<string> = []
 * const note = (s: string) => Effect.sync(() => seen.push(s))
 * await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   yield* callLater("20 millis", note("later"))
 *   const dropped = yield* callLater("10 millis", note("cancelled"))
 *   yield* callSoon(note("soon"))
 *   yield* dropped.cancel
 *   assert.equal(dropped.cancelled(), true)
 *   yield* Effect.sleep("30 millis")
 * })))
 * assert.deepEqual(seen, ["soon", "later"])
 * ```
 *
 * @module
 */
import { Clock, Duration, Effect, Fiber, type Scope } from "effect"

// ---------------------------------------------------------------------------
// callSoon / callLater / callAt
// ---------------------------------------------------------------------------

/** A scheduled callback, like asyncio's `Handle`. */
export interface Handle {
  /**
   * Cancels the callback if it has not started; a callback that has started
   * or finished is left alone (asyncio's `cancel` has no effect then).
   */
  readonly cancel: Effect.Effect<void>
  /** Whether `cancel` stopped the callback before it started. */
  cancelled(): boolean
}

/** A callback scheduled at a time, like asyncio's `TimerHandle`. */
export interface TimerHandle extends Handle {
  /** When the callback is due, in `Clock` milliseconds (see {@link time}). */
  readonly when: number
}

/** The loop's clock in milliseconds (`loop.time()`, but Effect's `Clock`, so `TestClock` moves it). */
export const time: Effect.Effect<number> = Clock.currentTimeMillis

const schedule = <E, R>(
  delayMillis: number | undefined,
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<Handle, never, R | Scope.Scope> =>
  Effect.gen(function* () {
    let started = false
    let cancelled = false
    const begin = Effect.sync(() => (started = true))
    const body = delayMillis === undefined
      ? Effect.andThen(begin, callback)
      : Effect.sleep(Math.max(0, delayMillis)).pipe(Effect.andThen(begin), Effect.andThen(callback))
    const fiber = yield* Effect.forkScoped(body)
    return {
      cancel: Effect.suspend(() => {
        if (started || cancelled || fiber.pollUnsafe()) return Effect.void
        cancelled = true
        return Fiber.interrupt(fiber)
      }),
      cancelled: () => cancelled,
    }
  })

/**
 * Runs `callback` on the loop's next turn, like `loop.call_soon`: it is
 * forked into the current scope and starts after the caller yields.
 */
export const callSoon = <E, R>(
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<Handle, never, R | Scope.Scope> => schedule(undefined, callback)

/**
 * Runs `callback` after `delay`, like `loop.call_later`. Callbacks due at the
 * same time run in the order they were scheduled.
 */
export const callLater = <E, R>(
  delay: Duration.Input,
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<TimerHandle, never, R | Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* time
    const millis = Duration.toMillis(Duration.fromInputUnsafe(delay))
    const handle = yield* schedule(millis, callback)
    return { ...handle, when: now + millis }
  })

/**
 * Runs `callback` at `when` (milliseconds on the {@link time} clock), like
 * `loop.call_at`; a time in the past runs it on the next turn.
 */
export const callAt = <E, R>(
  when: number,
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<TimerHandle, never, R | Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* time
    const handle = yield* schedule(when - now, callback)
    return { ...handle, when }
  })
