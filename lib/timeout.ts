/**
 * `asyncio.timeout` / `asyncio.timeout_at` on Effect fibers: a deadline
 * around a block, `timeout(delay, (cm) => block)` for
 * `async with asyncio.timeout(delay) as cm: block`.
 *
 * - At the deadline the block is interrupted; once its finalizers have run,
 *   the result is a `Cause.TimeoutError` (tag `"TimeoutError"`). Only the
 *   deadline's own interruption becomes that error: an interruption from
 *   outside passes through untouched, even one that comes with the deadline.
 * - The handle `cm` ({@link Timeout}) has `when()` (the deadline in seconds
 *   of the loop's clock, `loop.time()`, or `null`), `reschedule(when)`
 *   (`null`: no deadline) and `expired()`.
 * - As in asyncio, a deadline that has passed interrupts the block at its
 *   first suspension: a block that never suspends finishes normally.
 * - The delay is an Effect `Duration` input (`"500 millis"`, `Duration.seconds(2)`;
 *   a bare number is milliseconds); `timeoutAt`'s `when` is in seconds of
 *   `time` (`effect-asyncio/loop`), as asyncio's. Time is Effect's `Clock`,
 *   so `TestClock` drives it.
 *
 * The block runs in a fiber of its own (as in `Effect.timeout`), started at
 * once; the deadline is armed only if the block suspends.
 *
 * @example A deadline, then more time for it
 * ```ts
 * import { Effect } from "effect"
 * import { timeout } from "effect-asyncio/timeout"
 * import assert from "node:assert/strict"
 *
 * const error = await Effect.runPromise(Effect.flip(
 *   timeout("10 millis", Effect.never),
 * ))
 * assert.equal(error._tag, "TimeoutError")
 *
 * const result = await Effect.runPromise(timeout("10 millis", (cm) =>
 *   Effect.gen(function* () {
 *     yield* cm.reschedule(cm.when()! + 1) // one more second
 *     yield* Effect.sleep("20 millis")
 *     return cm.expired()
 *   })
 * ))
 * assert.equal(result, false)
 * ```
 *
 * @module
 */
import { Cause, Clock, Data, type Duration, Effect, type Exit, type Fiber } from "effect"
import { armDeadline } from "./internal/deadline.ts"
import { type Delay, millisOf } from "./internal/millis.ts"
import { monotonicMillis } from "./loop/timer-queue.ts"

/** `reschedule` on a timeout that has expired or ended (asyncio's `RuntimeError`). */
export class TimeoutStateError extends Data.TaggedError("TimeoutStateError")<{
  readonly message: string
}> {}

/** The handle of a running {@link timeout}: asyncio's `Timeout` (`async with … as cm`). */
export interface Timeout {
  /** The deadline in seconds of the loop's clock (`time`), or `null` for none. */
  when(): number | null
  /**
   * Moves the deadline (`null`: no deadline); one already past expires the
   * block at its next suspension. Dies with a {@link TimeoutStateError} once
   * the timeout has expired or its block has ended.
   */
  reschedule(when: number | null): Effect.Effect<void>
  /** Whether the deadline was reached (even if the block ended well after all). */
  expired(): boolean
}

const ENTERED = "active"
const EXPIRING = "expiring"
const EXPIRED = "expired"
const FINISHED = "finished"

class TimeoutImpl implements Timeout {
  state: string = ENTERED
  /** The block's fiber, once it has suspended. */
  fiber: Fiber.Fiber<unknown, unknown> | undefined = undefined
  cancelTimer: (() => void) | undefined = undefined
  constructor(
    readonly clock: Clock.Clock,
    /** Deadline in milliseconds of the clock, or null. */
    public deadline: number | null,
  ) {}

  when(): number | null {
    return this.deadline === null ? null : this.deadline / 1000
  }

  expired(): boolean {
    return this.state === EXPIRING || this.state === EXPIRED
  }

  reschedule(when: number | null): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.state !== ENTERED) {
        return Effect.die(
          new TimeoutStateError({
            message: `reschedule: cannot change the state of a ${this.state} timeout`,
          }),
        )
      }
      if (when !== null && (typeof when !== "number" || Number.isNaN(when))) {
        return Effect.die(
          new Cause.IllegalArgumentError(`reschedule: when must be a number, got ${when}`),
        )
      }
      this.deadline = when === null ? null : when * 1000
      if (this.fiber !== undefined) this.arm()
      return Effect.void
    })
  }

  /** (Re)arms the deadline for the suspended block. */
  arm(): void {
    this.disarm()
    if (this.deadline !== null) {
      this.cancelTimer = armDeadline(this.clock, this.deadline, this.expire)
    }
  }

  disarm(): void {
    const cancel = this.cancelTimer
    this.cancelTimer = undefined
    cancel?.()
  }

  readonly expire = (): void => {
    this.cancelTimer = undefined
    if (this.state !== ENTERED) return
    this.state = EXPIRING
    this.fiber?.interruptUnsafe()
  }
}

type Block<A, E, R> = Effect.Effect<A, E, R> | ((cm: Timeout) => Effect.Effect<A, E, R>)

const within = <A, E, R>(
  deadline: (now: number) => number | null,
  block: Block<A, E, R>,
): Effect.Effect<A, E | Cause.TimeoutError, R> =>
  Effect.withFiber((parent) => {
    const clock = parent.getRef(Clock.Clock)
    const cm = new TimeoutImpl(clock, null)
    const at = deadline(monotonicMillis(clock))
    if (at !== null && Number.isNaN(at)) {
      return Effect.die(new Cause.IllegalArgumentError("timeout: the deadline must be a number"))
    }
    cm.deadline = at
    const effect = typeof block === "function" ? Effect.suspend(() => block(cm)) : block
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(
        Effect.forkChild(restore(effect), { startImmediately: true }),
        (fiber) => {
          const exit = fiber.pollUnsafe()
          if (exit !== undefined) return settle(cm, exit)
          cm.fiber = fiber
          cm.arm()
          return restore(
            Effect.callback<Exit.Exit<A, E>>((resume) =>
              Effect.sync(fiber.addObserver((exit) => resume(Effect.succeed(exit))))
            ),
          ).pipe(
            // Interrupted from outside: the block goes too, and the interruption passes through.
            Effect.onInterrupt(() =>
              Effect.suspend(() => {
                cm.disarm()
                cm.state = FINISHED
                fiber.interruptUnsafe()
                return Effect.callback<void>((resume) =>
                  Effect.sync(fiber.addObserver(() => resume(Effect.void)))
                )
              })
            ),
            Effect.flatMap((exit) => settle(cm, exit)),
          )
        },
      )
    )
  })

const settle = <A, E>(
  cm: TimeoutImpl,
  exit: Exit.Exit<A, E>,
): Effect.Effect<A, E | Cause.TimeoutError> => {
  cm.disarm()
  if (cm.state === EXPIRING) {
    cm.state = EXPIRED
    if (exit._tag === "Failure" && Cause.hasInterruptsOnly(exit.cause)) {
      return Effect.fail(new Cause.TimeoutError(timedOutMessage(cm)))
    }
  } else cm.state = FINISHED
  return exit
}

const timedOutMessage = (cm: TimeoutImpl) =>
  cm.deadline === null
    ? "timeout: the deadline passed"
    : `timeout: the deadline (${(cm.deadline / 1000).toFixed(3)} s of the loop clock) passed`

/**
 * Runs `block` with a deadline `delay` from now, like `asyncio.timeout(delay)`
 * (`null`: none, until `reschedule`). `block` is an Effect, or a function
 * of the {@link Timeout} handle. NaN is a defect.
 */
export function timeout<A, E, R, D extends Duration.Input = Duration.Input>(
  delay: Delay<D> | null,
  block: (cm: Timeout) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E | Cause.TimeoutError, R>
export function timeout<A, E, R, D extends Duration.Input = Duration.Input>(
  delay: Delay<D> | null,
  block: Effect.Effect<A, E, R>,
): Effect.Effect<A, E | Cause.TimeoutError, R>
export function timeout<A, E, R, D extends Duration.Input = Duration.Input>(
  delay: Delay<D> | null,
  block: Block<A, E, R>,
): Effect.Effect<A, E | Cause.TimeoutError, R> {
  return within((now) => delay === null ? null : now + millisOf(delay), block)
}

/**
 * Runs `block` with a deadline at `when`, in seconds of the loop's clock
 * (`time` from `effect-asyncio/loop`), like `asyncio.timeout_at(when)`
 * (`null`: none). A `when` already past expires the block at its first
 * suspension. NaN is a defect.
 */
export function timeoutAt<A, E, R>(
  when: number | null,
  block: (cm: Timeout) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E | Cause.TimeoutError, R>
export function timeoutAt<A, E, R>(
  when: number | null,
  block: Effect.Effect<A, E, R>,
): Effect.Effect<A, E | Cause.TimeoutError, R>
export function timeoutAt<A, E, R>(
  when: number | null,
  block: Block<A, E, R>,
): Effect.Effect<A, E | Cause.TimeoutError, R> {
  return within(() => when === null ? null : when * 1000, block)
}
