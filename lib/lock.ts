/**
 * `asyncio.Lock` on Effect fibers: one holder at a time, strictly first come,
 * first served.
 *
 * The semantics are CPython's (3.11), one for one:
 * - `acquire` takes a free lock at once, without suspending; otherwise the
 *   fiber waits in line;
 * - `release` frees the lock and wakes the first in line, which takes it
 *   when it runs (after the releaser yields). Until then `locked` is false,
 *   yet a new `acquire` still queues behind it: nobody barges in;
 * - releasing a lock that is not held fails with {@link LockNotAcquiredError};
 * - a waiter interrupted in line leaves it; one interrupted after it was
 *   woken, before it ran, passes the wake-up on: nothing is lost.
 *
 * Any fiber may release the lock, as in asyncio (it has no owner).
 * {@link Lock.withLock} is `async with lock:`: it releases on every exit.
 * Every operation is O(1): the line is a linked list (lib/internal/wait-list.ts)
 * and woken fibers resume in one scheduler task per batch.
 *
 * @example One at a time
 * ```ts
 * import { Effect } from "effect"
 * import * as Lock from "effect-asyncio/lock"
 * import assert from "node:assert/strict"
 *
 * const log = await Effect.runPromise(Effect.gen(function* () {
 *   const lock = yield* Lock.make
 *   const log: Array<string> = []
 *   const critical = (name: string) =>
 *     lock.withLock(Effect.gen(function* () {
 *       log.push(`${name} in`)
 *       yield* Effect.yieldNow // the other one cannot enter meanwhile
 *       log.push(`${name} out`)
 *     }))
 *   yield* Effect.all([critical("a"), critical("b")], { concurrency: "unbounded" })
 *   return log
 * }))
 * assert.deepEqual(log, ["a in", "a out", "b in", "b out"])
 * ```
 *
 * @module
 */
import { Data, Effect } from "effect"
import { suspend, Waiter, WaitList } from "./internal/wait-list.ts"

/**
 * A lock was released (or a Condition used) while not held: asyncio's
 * `RuntimeError('Lock is not acquired.')`.
 */
export class LockNotAcquiredError extends Data.TaggedError("LockNotAcquiredError")<{
  readonly message: string
}> {}

/** An `asyncio.Lock`. Make one with {@link make}. */
export interface Lock {
  /** Waits for the lock and takes it; `true`, as asyncio's `acquire()`. */
  readonly acquire: Effect.Effect<true>
  /** Releases the lock; fails with {@link LockNotAcquiredError} if it is not held. */
  readonly release: Effect.Effect<void, LockNotAcquiredError>
  /** Whether the lock is held. */
  readonly locked: Effect.Effect<boolean>
  /** Whether the lock is held, read synchronously. */
  lockedUnsafe(): boolean
  /** Releases synchronously; false (and nothing changes) if it was not held. */
  releaseUnsafe(): boolean
  /** Runs `effect` holding the lock (`async with lock:`), released on every exit. */
  withLock<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R>
}

const succeedTrue = Effect.succeed(true as const)

class LockImpl implements Lock {
  private held = false
  /** Fibers in line, not yet woken. */
  private readonly waiting = new WaitList<true>()
  /** Woken, not yet run: they are at the head of asyncio's deque, done. */
  private woken = 0

  /** What a woken waiter runs: it takes the lock. */
  private readonly take = Effect.sync(() => {
    this.woken--
    this.held = true
    return true as const
  })

  private readonly onInterrupt = (waiter: Waiter<true>) => {
    if (waiter.woken) this.woken--
    else this.waiting.remove(waiter)
    // asyncio: a cancelled waiter wakes the next one if the lock is free.
    if (!this.held) this.wakeUpFirst()
  }

  private wakeUpFirst() {
    // A woken waiter ahead in line will take the lock, or pass it on.
    if (this.woken > 0) return
    if (this.waiting.wake()) this.woken++
  }

  readonly acquire: Effect.Effect<true> = Effect.suspend(() => {
    if (!this.held && this.waiting.size === 0 && this.woken === 0) {
      this.held = true
      return succeedTrue
    }
    return suspend(this.waiting, new Waiter(this.take), this.onInterrupt)
  })

  releaseUnsafe(): boolean {
    if (!this.held) return false
    this.held = false
    this.wakeUpFirst()
    return true
  }

  readonly release: Effect.Effect<void, LockNotAcquiredError> = Effect.suspend(() =>
    this.releaseUnsafe()
      ? Effect.void
      : Effect.fail(new LockNotAcquiredError({ message: "Lock is not acquired." }))
  )

  private readonly releaseHeld = Effect.sync(() => {
    this.releaseUnsafe()
  })

  readonly locked = Effect.sync(() => this.held)

  lockedUnsafe(): boolean {
    return this.held
  }

  withLock<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(
        restore(this.acquire),
        () => Effect.ensuring(restore(effect), this.releaseHeld),
      )
    )
  }
}

/** Makes a lock, unlocked, outside of an Effect. */
export const makeUnsafe = (): Lock => new LockImpl()

/** Makes a lock, unlocked, like `asyncio.Lock()`. */
export const make: Effect.Effect<Lock> = Effect.sync(makeUnsafe)
