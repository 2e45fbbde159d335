/**
 * `asyncio.Semaphore` on Effect fibers: at most `value` holders at once,
 * strictly first come, first served.
 *
 * The semantics are CPython's (3.11, after gh-90155), one for one:
 * - `acquire` takes a permit at once only if one is free **and nobody waits**
 *   (`locked` is true while anyone waits): a newcomer never overtakes the
 *   line, even when a permit was just released;
 * - `release` gives the permit to the first in line at once (it is reserved
 *   for that fiber, which runs after the releaser yields);
 * - a waiter interrupted in line leaves it; one interrupted after its permit
 *   was reserved hands the permit to the next: nothing is lost;
 * - `release` never fails here (asyncio's plain Semaphore may be released
 *   above its start value); `effect-asyncio/bounded-semaphore` refuses that.
 *
 * Effect's own `Semaphore` differs where ports break: a request for fewer
 * permits may overtake a larger one queued before it, and each release
 * rescans every waiter (quadratic with many waiters). Here every operation
 * is O(1) and every request is for one permit, as in asyncio.
 *
 * @example At most two at once
 * ```ts
 * import { Effect } from "effect"
 * import * as Semaphore from "effect-asyncio/semaphore"
 * import assert from "node:assert/strict"
 *
 * const most = await Effect.runPromise(Effect.gen(function* () {
 *   const semaphore = yield* Semaphore.make(2)
 *   let inside = 0
 *   let most = 0
 *   const fetch = semaphore.withPermit(Effect.gen(function* () {
 *     most = Math.max(most, ++inside)
 *     yield* Effect.sleep("1 millis")
 *     inside--
 *   }))
 *   yield* Effect.all(Array.from({ length: 6 }, () => fetch), { concurrency: "unbounded" })
 *   return most
 * }))
 * assert.equal(most, 2)
 * ```
 *
 * @module
 */
import { Effect } from "effect"
import { suspend, Waiter, WaitList } from "./internal/wait-list.ts"

/** An `asyncio.Semaphore`. Make one with {@link make}. */
export interface Semaphore {
  /** Waits for a permit and takes it; `true`, as asyncio's `acquire()`. */
  readonly acquire: Effect.Effect<true>
  /** Gives a permit back (to the first in line, if any). */
  readonly release: Effect.Effect<void>
  /** Whether `acquire` would wait: no permit free, or fibers in line. */
  readonly locked: Effect.Effect<boolean>
  /** `locked`, read synchronously. */
  lockedUnsafe(): boolean
  /** Runs `effect` holding a permit (`async with semaphore:`), given back on every exit. */
  withPermit<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R>
}

const succeedTrue = Effect.succeed(true as const)

/** The engine, shared with `BoundedSemaphore` (lib/bounded-semaphore.ts). */
export class SemaphoreImpl implements Semaphore {
  /** asyncio's `_value`: free permits not reserved for a woken waiter. */
  value: number
  /** Fibers in line, not yet woken. */
  private readonly waiting = new WaitList<true>()
  /** Woken (a permit reserved for each), not yet run. */
  private woken = 0

  constructor(value: number) {
    this.value = value
  }

  /** What a woken waiter runs: its permit is already counted; pass spare ones on. */
  private readonly take = Effect.sync(() => {
    this.woken--
    // Newcomers may have queued while permits were free (FIFO): wake the next.
    if (this.value > 0) this.wakeUpNext()
    return true as const
  })

  private readonly onInterrupt = (waiter: Waiter<true>) => {
    if (!waiter.woken) {
      this.waiting.remove(waiter)
      return
    }
    // Its permit was reserved: give it back, to the next in line.
    this.woken--
    this.value++
    this.wakeUpNext()
  }

  private wakeUpNext(): boolean {
    if (!this.waiting.wake()) return false
    this.value--
    this.woken++
    return true
  }

  lockedUnsafe(): boolean {
    return this.value === 0 || this.waiting.size > 0 || this.woken > 0
  }

  readonly acquire: Effect.Effect<true> = Effect.suspend(() => {
    if (!this.lockedUnsafe()) {
      this.value--
      return succeedTrue
    }
    return suspend(this.waiting, new Waiter(this.take), this.onInterrupt)
  })

  releaseUnsafe(): void {
    this.value++
    this.wakeUpNext()
  }

  readonly release: Effect.Effect<void> = Effect.sync(() => this.releaseUnsafe())

  readonly locked = Effect.sync(() => this.lockedUnsafe())

  withPermit<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(restore(this.acquire), () => Effect.ensuring(restore(effect), this.release))
    )
  }
}

/** Checks a start value: a defect (RangeError) unless an integer ≥ 0, as asyncio's ValueError. */
export const checkValue = (value: number, what: string): void => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what}: the initial value must be an integer >= 0, got ${value}`)
  }
}

/** Makes a semaphore with `value` permits (default 1), outside of an Effect. */
export const makeUnsafe = (value = 1): Semaphore => {
  checkValue(value, "Semaphore")
  return new SemaphoreImpl(value)
}

/**
 * Makes a semaphore with `value` permits (default 1), like
 * `asyncio.Semaphore(value)`; a value that is not an integer ≥ 0 is a defect
 * (`RangeError`).
 */
export const make = (value = 1): Effect.Effect<Semaphore> => Effect.sync(() => makeUnsafe(value))
