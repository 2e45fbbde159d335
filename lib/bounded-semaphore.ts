/**
 * `asyncio.BoundedSemaphore`: a {@link Semaphore} that refuses to be
 * released above its start value, catching a release without an acquire.
 *
 * Past the bound, `release` fails with {@link ReleasedTooManyTimesError}
 * (asyncio's `ValueError('BoundedSemaphore released too many times')`) and
 * nothing changes. As in CPython, a permit reserved for a woken waiter that
 * has not run yet counts as taken.
 *
 * @example One release too many
 * ```ts
 * import { Effect, Exit } from "effect"
 * import * as BoundedSemaphore from "effect-asyncio/bounded-semaphore"
 * import assert from "node:assert/strict"
 *
 * const exit = await Effect.runPromise(Effect.gen(function* () {
 *   const semaphore = yield* BoundedSemaphore.make(1)
 *   yield* semaphore.acquire
 *   yield* semaphore.release
 *   return yield* Effect.exit(semaphore.release)
 * }))
 * assert.ok(Exit.isFailure(exit))
 * ```
 *
 * @module
 */
import { Data, Effect } from "effect"
import { checkValue, type Semaphore, SemaphoreImpl } from "./semaphore.ts"

/** A BoundedSemaphore released above its start value. */
export class ReleasedTooManyTimesError extends Data.TaggedError("ReleasedTooManyTimesError")<{
  readonly message: string
}> {}

/** An `asyncio.BoundedSemaphore`: a Semaphore whose `release` can fail. */
export interface BoundedSemaphore extends Omit<Semaphore, "release"> {
  /** Gives a permit back; fails with {@link ReleasedTooManyTimesError} above the start value. */
  readonly release: Effect.Effect<void, ReleasedTooManyTimesError>
}

class BoundedSemaphoreImpl implements BoundedSemaphore {
  private readonly semaphore: SemaphoreImpl
  readonly acquire: Effect.Effect<true>
  readonly locked: Effect.Effect<boolean>

  constructor(private readonly bound: number) {
    this.semaphore = new SemaphoreImpl(bound)
    this.acquire = this.semaphore.acquire
    this.locked = this.semaphore.locked
  }

  readonly release: Effect.Effect<void, ReleasedTooManyTimesError> = Effect.suspend(() => {
    if (this.semaphore.value >= this.bound) {
      return Effect.fail(
        new ReleasedTooManyTimesError({ message: "BoundedSemaphore released too many times" }),
      )
    }
    this.semaphore.releaseUnsafe()
    return Effect.void
  })

  lockedUnsafe(): boolean {
    return this.semaphore.lockedUnsafe()
  }

  withPermit<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return this.semaphore.withPermit(effect)
  }
}

/** Makes a bounded semaphore with `value` permits (default 1), outside of an Effect. */
export const makeUnsafe = (value = 1): BoundedSemaphore => {
  checkValue(value, "BoundedSemaphore")
  return new BoundedSemaphoreImpl(value)
}

/**
 * Makes a bounded semaphore, like `asyncio.BoundedSemaphore(value)`; a value
 * that is not an integer ≥ 0 is a defect (`RangeError`).
 */
export const make = (value = 1): Effect.Effect<BoundedSemaphore> =>
  Effect.sync(() => makeUnsafe(value))
