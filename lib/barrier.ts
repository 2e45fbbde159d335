/**
 * `asyncio.Barrier` on Effect fibers: `parties` fibers wait until all of
 * them have arrived, then all go on together; then it fills again (it is
 * cyclic).
 *
 * The semantics are CPython's (3.11), one for one; it is CPython's state
 * machine (filling, draining, resetting, broken) on this library's Condition:
 * - `wait` returns the arrival index, 0 for the first to arrive to
 *   `parties - 1` for the last, which releases the others;
 * - fibers arriving while the previous round drains wait for the next round;
 * - `abort` breaks the barrier: waiters and later arrivals fail with
 *   {@link BrokenBarrierError}, until `reset`;
 * - `reset` fails the current waiters with {@link BrokenBarrierError} and
 *   puts the barrier back to filling once they have left;
 * - a waiter interrupted while filling leaves (`nWaiting` goes down).
 *
 * @example Three arrive, all go on
 * ```ts
 * import { Effect } from "effect"
 * import * as Barrier from "effect-asyncio/barrier"
 * import assert from "node:assert/strict"
 *
 * const indexes = await Effect.runPromise(Effect.gen(function* () {
 *   const barrier = yield* Barrier.make(3)
 *   return yield* Effect.all([barrier.wait, barrier.wait, barrier.wait], {
 *     concurrency: "unbounded",
 *   })
 * }))
 * assert.deepEqual(indexes, [0, 1, 2])
 * ```
 *
 * @module
 */
import { Data, Effect } from "effect"
import * as Condition from "./condition.ts"

/** The barrier was aborted or reset while (or before) waiting: asyncio's `BrokenBarrierError`. */
export class BrokenBarrierError extends Data.TaggedError("BrokenBarrierError")<{
  readonly message: string
}> {}

/** An `asyncio.Barrier`. Make one with {@link make}. */
export interface Barrier {
  /** How many fibers must arrive to release the barrier. */
  readonly parties: number
  /** Waits until `parties` fibers are waiting; returns this one's arrival index. */
  readonly wait: Effect.Effect<number, BrokenBarrierError>
  /** Fails the current waiters with {@link BrokenBarrierError} and starts over, empty. */
  readonly reset: Effect.Effect<void>
  /** Breaks the barrier: current and later `wait`s fail, until `reset`. */
  readonly abort: Effect.Effect<void>
  /** How many fibers wait in the current round (0 while draining or broken). */
  readonly nWaiting: Effect.Effect<number>
  /** Whether the barrier is broken. */
  readonly broken: Effect.Effect<boolean>
}

type State = "filling" | "draining" | "resetting" | "broken"

class BarrierImpl implements Barrier {
  private state: State = "filling"
  private count = 0
  private readonly condition = Condition.makeUnsafe()

  constructor(readonly parties: number) {}

  /** The condition's operations, with the lock held: they cannot fail. */
  private readonly notifyAll = Effect.orDie(this.condition.notifyAll)

  private readonly block = Effect.andThen(
    Effect.orDie(
      this.condition.waitFor(() => this.state !== "draining" && this.state !== "resetting"),
    ),
    () =>
      this.state === "broken"
        ? Effect.fail(new BrokenBarrierError({ message: "Barrier aborted" }))
        : Effect.void,
  )

  private readonly waitReleased = Effect.andThen(
    Effect.orDie(this.condition.waitFor(() => this.state !== "filling")),
    () =>
      this.state === "broken" || this.state === "resetting"
        ? Effect.fail(new BrokenBarrierError({ message: "Abort or reset of barrier" }))
        : Effect.void,
  )

  /** The last fiber out of a draining or resetting barrier opens it for the next round. */
  private readonly leave = Effect.suspend(() => {
    this.count--
    if (this.count !== 0) return Effect.void
    if (this.state === "resetting" || this.state === "draining") this.state = "filling"
    return this.notifyAll
  })

  readonly wait: Effect.Effect<number, BrokenBarrierError> = this.condition.withLock(
    Effect.andThen(
      this.block,
      Effect.suspend(() => {
        const index = this.count++
        const arrived = index + 1 === this.parties
          ? Effect.suspend(() => {
            this.state = "draining"
            return this.notifyAll
          })
          : this.waitReleased
        return Effect.ensuring(Effect.as(arrived, index), this.leave)
      }),
    ),
  )

  readonly reset: Effect.Effect<void> = this.condition.withLock(Effect.suspend(() => {
    if (this.count > 0) {
      if (this.state !== "resetting") this.state = "resetting"
    } else {
      this.state = "filling"
    }
    return this.notifyAll
  }))

  readonly abort: Effect.Effect<void> = this.condition.withLock(Effect.suspend(() => {
    this.state = "broken"
    return this.notifyAll
  }))

  readonly nWaiting = Effect.sync(() => this.state === "filling" ? this.count : 0)

  readonly broken = Effect.sync(() => this.state === "broken")
}

/** Makes a barrier for `parties` fibers, outside of an Effect. */
export const makeUnsafe = (parties: number): Barrier => {
  if (!Number.isSafeInteger(parties) || parties < 1) {
    throw new RangeError(`Barrier: parties must be an integer > 0, got ${parties}`)
  }
  return new BarrierImpl(parties)
}

/**
 * Makes a barrier for `parties` fibers, like `asyncio.Barrier(parties)`;
 * parties that are not an integer ≥ 1 are a defect (`RangeError`).
 */
export const make = (parties: number): Effect.Effect<Barrier> =>
  Effect.sync(() => makeUnsafe(parties))
