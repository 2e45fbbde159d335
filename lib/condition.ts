/**
 * `asyncio.Condition` on Effect fibers: wait, while holding a lock, until
 * another fiber says something changed.
 *
 * The semantics are CPython's, one for one, but one (see below):
 * - `wait` must be called holding the lock: it releases it, waits to be
 *   notified, and takes the lock again before it returns, **even when it is
 *   interrupted** (the re-acquire cannot be interrupted; the interruption
 *   goes on once the lock is held again, so a finalizer after `wait` always
 *   runs with the lock held);
 * - `notify(n)` wakes the first `n` waiters, `notifyAll` every one; both
 *   need the lock; a woken waiter returns only once it has the lock back;
 * - without the lock, `wait` and `notify` fail with `LockNotAcquiredError`
 *   (asyncio's `RuntimeError`);
 * - `waitFor(predicate)` waits until `predicate()` is truthy and returns it.
 *
 * The one difference from CPython 3.11: a waiter that was notified, then
 * interrupted before it returned, passes the notification to the next
 * waiter (3.11 loses it; 3.13 passes it on too, gh-112202). No wake-up is
 * lost.
 *
 * @example Wait for a value
 * ```ts
 * import { Effect, Fiber } from "effect"
 * import * as Condition from "effect-asyncio/condition"
 * import assert from "node:assert/strict"
 *
 * const seen = await Effect.runPromise(Effect.gen(function* () {
 *   const condition = yield* Condition.make()
 *   let value: string | undefined
 *   const reader = yield* Effect.forkChild(
 *     condition.withLock(condition.waitFor(() => value)),
 *   )
 *   yield* Effect.yieldNow // the reader waits, the lock is free
 *   yield* condition.withLock(Effect.gen(function* () {
 *     value = "ready"
 *     yield* condition.notifyAll
 *   }))
 *   return yield* Fiber.join(reader)
 * }))
 * assert.equal(seen, "ready")
 * ```
 *
 * @module
 */
import { Effect, Exit } from "effect"
import * as Lock from "./lock.ts"
import { suspend, Waiter, WaitList } from "./internal/wait-list.ts"

/** An `asyncio.Condition`. Make one with {@link make}. */
export interface Condition {
  /** The underlying lock (given to {@link make}, or its own). */
  readonly lock: Lock.Lock
  /** Takes the lock (`await condition.acquire()`). */
  readonly acquire: Effect.Effect<true>
  /** Releases the lock. */
  readonly release: Effect.Effect<void, Lock.LockNotAcquiredError>
  /** Whether the lock is held. */
  readonly locked: Effect.Effect<boolean>
  /** Runs `effect` holding the lock (`async with condition:`). */
  withLock<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R>
  /** Releases the lock, waits to be notified, takes the lock again; `true`. */
  readonly wait: Effect.Effect<true, Lock.LockNotAcquiredError>
  /** Waits until `predicate()` is truthy (checked with the lock held); returns its value. */
  waitFor<A>(predicate: () => A): Effect.Effect<A, Lock.LockNotAcquiredError>
  /** Wakes up to `n` waiters (default 1), first come first. Needs the lock. */
  notify(n?: number): Effect.Effect<void, Lock.LockNotAcquiredError>
  /** Wakes every waiter. Needs the lock. */
  readonly notifyAll: Effect.Effect<void, Lock.LockNotAcquiredError>
}

const notAcquired = (what: string) =>
  Effect.fail(new Lock.LockNotAcquiredError({ message: `cannot ${what} on un-acquired lock` }))

class ConditionImpl implements Condition {
  private readonly waiting = new WaitList<void>()
  readonly acquire: Effect.Effect<true>
  readonly release: Effect.Effect<void, Lock.LockNotAcquiredError>
  readonly locked: Effect.Effect<boolean>

  constructor(readonly lock: Lock.Lock) {
    this.acquire = lock.acquire
    this.release = lock.release
    this.locked = lock.locked
  }

  withLock<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return this.lock.withLock(effect)
  }

  private readonly onInterrupt = (waiter: Waiter<void>) => {
    this.waiting.remove(waiter) // not woken yet: just leave the line
  }

  private notifyUnsafe(n: number) {
    for (let i = 0; i < n && this.waiting.wake(); i++) {
      // each wake takes the first waiter
    }
  }

  readonly wait: Effect.Effect<true, Lock.LockNotAcquiredError> = Effect.uninterruptibleMask(
    (restore) =>
      Effect.suspend(() => {
        if (!this.lock.lockedUnsafe()) return notAcquired("wait")
        this.lock.releaseUnsafe()
        const waiter = new Waiter<void>(Effect.void)
        return Effect.onExit(
          restore(suspend(this.waiting, waiter, this.onInterrupt)),
          (exit) =>
            // Take the lock back whatever happened; acquire is not interruptible here.
            Effect.andThen(
              this.lock.acquire,
              Effect.sync(() => {
                // Notified, then interrupted: the notification goes to the next waiter.
                if (Exit.isFailure(exit) && waiter.woken) this.notifyUnsafe(1)
              }),
            ),
        )
      }),
  ).pipe(Effect.as(true as const))

  waitFor<A>(predicate: () => A): Effect.Effect<A, Lock.LockNotAcquiredError> {
    const loop: Effect.Effect<A, Lock.LockNotAcquiredError> = Effect.suspend(() => {
      const result = predicate()
      return result ? Effect.succeed(result) : Effect.andThen(this.wait, loop)
    })
    return loop
  }

  notify(n = 1): Effect.Effect<void, Lock.LockNotAcquiredError> {
    return Effect.suspend(() => {
      if (!this.lock.lockedUnsafe()) return notAcquired("notify")
      this.notifyUnsafe(n)
      return Effect.void
    })
  }

  readonly notifyAll: Effect.Effect<void, Lock.LockNotAcquiredError> = Effect.suspend(() =>
    this.notify(this.waiting.size)
  )
}

/** Makes a condition on `lock` (a new Lock by default), outside of an Effect. */
export const makeUnsafe = (lock: Lock.Lock = Lock.makeUnsafe()): Condition =>
  new ConditionImpl(lock)

/** Makes a condition on `lock` (a new Lock by default), like `asyncio.Condition(lock)`. */
export const make = (lock?: Lock.Lock): Effect.Effect<Condition> =>
  Effect.sync(() => makeUnsafe(lock))
