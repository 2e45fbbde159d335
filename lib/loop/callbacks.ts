/**
 * The loop's callbacks: `callSoon`, `callLater`, `callAt` (effects that put a
 * callback in the timer queue of the caller's `Scope`), `time`, and
 * `getRunningLoop` (the same as the synchronous methods of a {@link LoopHandle}).
 * Internal to `effect-asyncio/loop`, which re-exports it.
 *
 * @module
 */
import { Cause, Clock, type Duration, Effect, type Scope } from "effect"
import { type Delay, millisOf } from "../internal/millis.ts"
import type { Callback } from "./scheduled-callback.ts"
import { monotonicMillis } from "./timer-queue.ts"
import { withTimerQueue } from "./timer-queues.ts"

/** A scheduled callback, like asyncio's `Handle`. */
export interface Handle {
  /**
   * Cancels the callback if it has not started; a callback that has started
   * or finished is left alone (asyncio's `cancel` has no effect then).
   */
  readonly cancel: Effect.Effect<void>
  /** Whether `cancel` was called, before or after the callback ran (as in asyncio). */
  cancelled(): boolean
}

/** A callback scheduled at a time, like asyncio's `TimerHandle`. */
export interface TimerHandle extends Handle {
  /** When the callback is due, in seconds of the loop's clock (see {@link time}). */
  readonly when: number
}

/**
 * The loop's clock, like `loop.time()`: monotonic seconds on Effect's
 * `Clock` (so `TestClock` moves it). `callAt` and a handle's `when` use it.
 */
export const time: Effect.Effect<number> = Clock.clockWith((clock) =>
  Effect.sync(() => monotonicMillis(clock) / 1000)
)

// deno-lint-ignore no-explicit-any
type Fn<Args extends ReadonlyArray<any>> = (...args: Args) => unknown

/** The error for a NaN or non-number time (a defect from the effects, thrown by the sync loop). */
const badTime = (what: string, value: unknown) =>
  new Cause.IllegalArgumentError(`${what} must be a number, got ${String(value)}`)

/**
 * Runs `callback` on the loop's next turn, like `loop.call_soon`: after the
 * caller yields, in the order the callbacks were scheduled. A plain function
 * is called with `args` (no fiber); an Effect is started then, and forked
 * into the current scope only if it suspends.
 */
export function callSoon<E, R>(
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<Handle, never, R | Scope.Scope>
// deno-lint-ignore no-explicit-any
export function callSoon<Args extends ReadonlyArray<any>>(
  callback: Fn<Args>,
  ...args: Args
): Effect.Effect<Handle, never, Scope.Scope>
export function callSoon(
  // deno-lint-ignore no-explicit-any
  callback: Effect.Effect<unknown, unknown, any> | Fn<ReadonlyArray<unknown>>,
  ...args: ReadonlyArray<unknown>
  // deno-lint-ignore no-explicit-any
): Effect.Effect<Handle, never, any> {
  return Effect.withFiber((fiber) =>
    withTimerQueue(fiber, (queue) => queue.soon(callback as Callback, args, fiber.context))
  )
}

/**
 * Runs `callback` after `delay`, like `loop.call_later`; the deadline is
 * fixed at the call. Callbacks due at the same time run in the order they
 * were scheduled. A negative delay means "as soon as possible"; NaN is a
 * defect (`IllegalArgumentError`). The delay is a `Duration` input, not a
 * bare number, which does not compile (asyncio's delay is in seconds,
 * Effect's number is milliseconds: write `"500 millis"` or
 * `Duration.seconds(0.5)`; see `Delay`).
 */
export function callLater<E, R, const D extends Duration.Input>(
  delay: Delay<D>,
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<TimerHandle, never, R | Scope.Scope>
// deno-lint-ignore no-explicit-any
export function callLater<Args extends ReadonlyArray<any>, const D extends Duration.Input>(
  delay: Delay<D>,
  callback: Fn<Args>,
  ...args: Args
): Effect.Effect<TimerHandle, never, Scope.Scope>
export function callLater(
  delay: Duration.Input,
  // deno-lint-ignore no-explicit-any
  callback: Effect.Effect<unknown, unknown, any> | Fn<ReadonlyArray<unknown>>,
  ...args: ReadonlyArray<unknown>
  // deno-lint-ignore no-explicit-any
): Effect.Effect<TimerHandle, never, any> {
  return Effect.withFiber((fiber) => {
    const millis = millisOf(delay)
    if (Number.isNaN(millis)) return Effect.die(badTime("callLater: the delay", delay))
    return withTimerQueue(
      fiber,
      (queue) => queue.schedule(queue.now() + millis, callback as Callback, args, fiber.context),
    )
  })
}

/**
 * Runs `callback` at `when`, in seconds of the {@link time} clock, like
 * `loop.call_at`; a time in the past runs it on the next turn. NaN is a
 * defect (`IllegalArgumentError`).
 */
export function callAt<E, R>(
  when: number,
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<TimerHandle, never, R | Scope.Scope>
// deno-lint-ignore no-explicit-any
export function callAt<Args extends ReadonlyArray<any>>(
  when: number,
  callback: Fn<Args>,
  ...args: Args
): Effect.Effect<TimerHandle, never, Scope.Scope>
export function callAt(
  when: number,
  // deno-lint-ignore no-explicit-any
  callback: Effect.Effect<unknown, unknown, any> | Fn<ReadonlyArray<unknown>>,
  ...args: ReadonlyArray<unknown>
  // deno-lint-ignore no-explicit-any
): Effect.Effect<TimerHandle, never, any> {
  return Effect.withFiber((fiber) => {
    if (typeof when !== "number" || Number.isNaN(when)) {
      return Effect.die(badTime("callAt: when", when))
    }
    return withTimerQueue(
      fiber,
      (queue) => queue.schedule(when * 1000, callback as Callback, args, fiber.context),
    )
  })
}

/**
 * The loop as an object, what `asyncio.get_running_loop()` returns: its
 * callbacks as plain synchronous methods, `loop.callLater(0.1 s, f, ...args)`
 * with no Effect per call, for code that schedules many callbacks in a plain
 * loop. Same timer queue, same rules as {@link callSoon}, {@link callLater}
 * and {@link callAt}, bound to the caller's `Scope` (from `main` under `run`,
 * the running loop's); an Effect callback runs in the context of the fiber
 * that got the handle. A NaN time throws a `Cause.IllegalArgumentError`. (Not
 * a callback's {@link Handle}: a handle on the loop itself.)
 */
export interface LoopHandle {
  /** {@link time}, read synchronously. */
  time(): number
  // deno-lint-ignore no-explicit-any
  callSoon<Args extends ReadonlyArray<any>>(callback: Fn<Args> | Callback, ...args: Args): Handle
  // deno-lint-ignore no-explicit-any
  callLater<Args extends ReadonlyArray<any>, const D extends Duration.Input>(
    delay: Delay<D>,
    callback: Fn<Args> | Callback,
    ...args: Args
  ): TimerHandle
  // deno-lint-ignore no-explicit-any
  callAt<Args extends ReadonlyArray<any>>(
    when: number,
    callback: Fn<Args> | Callback,
    ...args: Args
  ): TimerHandle
}

/** `asyncio.get_running_loop()`: the loop of the caller's `Scope` as a {@link LoopHandle}. */
export const getRunningLoop: Effect.Effect<LoopHandle, never, Scope.Scope> = Effect
  .withFiber((fiber) =>
    withTimerQueue(fiber, (queue): LoopHandle => {
      const context = fiber.context
      return {
        time: () => queue.now() / 1000,
        callSoon: (callback, ...args) => queue.soon(callback as Callback, args, context),
        callLater: (delay, callback, ...args) => {
          const millis = millisOf(delay)
          if (Number.isNaN(millis)) throw badTime("callLater: the delay", delay)
          return queue.schedule(queue.now() + millis, callback as Callback, args, context)
        },
        callAt: (when, callback, ...args) => {
          if (typeof when !== "number" || Number.isNaN(when)) throw badTime("callAt: when", when)
          return queue.schedule(when * 1000, callback as Callback, args, context)
        },
      }
    })
  )
