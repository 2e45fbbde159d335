/**
 * `asyncio.Event` on Effect fibers: many fibers wait for one signal.
 *
 * An event is a flag. `wait` suspends until the flag is set (and returns at
 * once if it already is); `set` raises it and wakes every fiber waiting at
 * that moment; `clear` lowers it so later waiters suspend again.
 *
 * The semantics are asyncio's, one for one:
 * - `set` wakes every current waiter, even if `clear` follows immediately;
 * - a `wait` after `set` returns at once;
 * - waiters are woken in the order they started waiting (FIFO);
 * - the woken fibers run when the setter yields, not inside `set` (asyncio
 *   schedules them on the loop; here they go through the fiber scheduler);
 * - an interrupted waiter leaves no trace: it is not woken, not counted, and
 *   a later `set` wakes only the others.
 *
 * It is Effect's `Latch` underneath (open = set, close = clear), which
 * already has exactly this behaviour: `open` moves the current waiters into
 * one batch and schedules a single task that resumes them all, in order, so
 * 100 000 waiters cost one scheduler task, not 100 000; `close` does not
 * touch that batch; an interrupted waiter removes itself from either list.
 * A `Deferred` per generation is not used: `Deferred.done` resumes the
 * waiters *inside* `set`, before the setter continues, which is not
 * asyncio's order (the test "woken waiters run after the setter yields"
 * fails with it).
 *
 * @example Two waiters, one signal
 * ```ts
 * import { Effect, Fiber } from "effect"
 * import * as Event from "effect-asyncio/event"
 * import assert from "node:assert/strict"
 *
 * const woken = await Effect.runPromise(Effect.gen(function* () {
 *   const event = yield* Event.make
 *   const waiters = yield* Effect.forEach(["a", "b"], (name) =>
 *     Effect.forkChild(Effect.as(event.wait, name)))
 *   yield* Effect.yieldNow // both are waiting now
 *   assert.equal(yield* event.isSet, false)
 *   yield* event.set
 *   return yield* Fiber.joinAll(waiters)
 * }))
 * assert.deepEqual(woken, ["a", "b"])
 * ```
 *
 * @module
 */
import { type Cause, type Duration, Effect, Latch } from "effect"
import { waitFor } from "./coroutine.ts"
import type { Delay } from "./internal/millis.ts"

/** An `asyncio.Event`. Make one with {@link make}. */
export interface Event {
  /** Sets the flag and wakes every fiber waiting now (they run when the caller yields). */
  readonly set: Effect.Effect<void>
  /** Clears the flag: later `wait`s suspend until the next `set`. */
  readonly clear: Effect.Effect<void>
  /** Whether the flag is set. */
  readonly isSet: Effect.Effect<boolean>
  /** Whether the flag is set, read synchronously. */
  isSetUnsafe(): boolean
  /** Waits until the flag is set; returns `true` (as asyncio's `wait()` does). */
  readonly wait: Effect.Effect<true>
  /**
   * `wait` with a time limit, like `asyncio.wait_for(event.wait(), timeout)`:
   * past the limit the waiter is withdrawn and the result is a
   * `Cause.TimeoutError`.
   */
  waitFor<const D extends Duration.Input>(
    timeout: Delay<D>,
  ): Effect.Effect<true, Cause.TimeoutError>
}

class EventImpl implements Event {
  readonly latch = Latch.makeUnsafe(false)
  readonly set = Effect.asVoid(this.latch.open)
  readonly clear = Effect.asVoid(this.latch.close)
  readonly isSet = Effect.sync(() => this.latch.isOpen())
  readonly wait = Effect.as(this.latch.await, true as const)
  isSetUnsafe(): boolean {
    return this.latch.isOpen()
  }
  waitFor<const D extends Duration.Input>(
    timeout: Delay<D>,
  ): Effect.Effect<true, Cause.TimeoutError> {
    return waitFor(this.wait, timeout as Duration.Input)
  }
}

/** Makes an event, initially not set, outside of an Effect. */
export const makeUnsafe = (): Event => new EventImpl()

/** Makes an event, initially not set, like `asyncio.Event()`. */
export const make: Effect.Effect<Event> = Effect.sync(makeUnsafe)
