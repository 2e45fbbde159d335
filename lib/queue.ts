/**
 * `asyncio.Queue` on Effect fibers: first in, first out, with `taskDone` and
 * `join`, and 3.13's `shutdown`.
 *
 * The semantics are CPython's, one for one:
 * - `maxsize` 0 (the default, or any value ≤ 0) is **unbounded**, not a
 *   rendezvous as Effect's `Queue.bounded(0)`;
 * - `put` waits while the queue is full, `get` while it is empty; a put or
 *   get that need not wait does not suspend;
 * - `putNowait`/`getNowait` fail at once with {@link QueueFull} /
 *   {@link QueueEmpty};
 * - every item put counts as unfinished until a `taskDone`; `join` waits
 *   until none is; a `taskDone` too many fails with {@link TaskDoneTooManyTimesError};
 * - a woken getter (putter) takes the item (slot) when it runs; if another
 *   fiber took it first it waits again, at the back, as in asyncio;
 * - a getter interrupted in line leaves it; one interrupted after it was
 *   woken passes the wake-up on while items remain: nothing is lost;
 * - `shutdown()` (3.13): later puts fail with {@link QueueShutDown}, waiting
 *   putters too; gets drain what is queued, then fail with QueueShutDown.
 *   `shutdown({ immediate: true })` also drops what is queued (counting it
 *   done, which releases `join`) and fails the waiting getters.
 *
 * Every operation is O(1) amortised: items in a ring buffer, waiters in
 * linked lists (lib/internal/wait-list.ts). `effect-asyncio/priority-queue`
 * and `effect-asyncio/lifo-queue` are the same queue with another order.
 *
 * @example Producer, consumer, join
 * ```ts
 * import { Effect } from "effect"
 * import * as Queue from "effect-asyncio/queue"
 * import assert from "node:assert/strict"
 *
 * const seen = await Effect.runPromise(Effect.gen(function* () {
 *   const queue = yield* Queue.make<number>({ maxsize: 2 })
 *   const seen: Array<number> = []
 *   yield* Effect.forkChild(Effect.forever(Effect.gen(function* () {
 *     seen.push(yield* queue.get)
 *     yield* queue.taskDone
 *   })))
 *   for (let i = 0; i < 5; i++) yield* queue.put(i) // waits while 2 are queued
 *   yield* queue.join // every item put has been marked done
 *   return seen
 * }))
 * assert.deepEqual(seen, [0, 1, 2, 3, 4])
 * ```
 *
 * @module
 */
import { Data, Effect, Exit } from "effect"
import { suspend, Waiter, WaitList } from "./internal/wait-list.ts"

/** `putNowait` on a full queue (asyncio's `QueueFull`). */
export class QueueFull extends Data.TaggedError("QueueFull")<{ readonly message: string }> {}

/** `getNowait` on an empty queue (asyncio's `QueueEmpty`). */
export class QueueEmpty extends Data.TaggedError("QueueEmpty")<{ readonly message: string }> {}

/** A put after `shutdown`, or a get once a shut-down queue is empty (asyncio 3.13's `QueueShutDown`). */
export class QueueShutDown extends Data.TaggedError("QueueShutDown")<{
  readonly message: string
}> {}

/** `taskDone` called more times than items were put (asyncio's `ValueError`). */
export class TaskDoneTooManyTimesError extends Data.TaggedError("TaskDoneTooManyTimesError")<{
  readonly message: string
}> {}

/** An `asyncio.Queue` (or PriorityQueue, LifoQueue). Make one with {@link make}. */
export interface Queue<A> {
  /** The most items it holds; 0 for unbounded. */
  readonly maxsize: number
  /** Puts `item`, waiting while the queue is full. */
  put(item: A): Effect.Effect<void, QueueShutDown>
  /** Puts `item` if there is room, else fails with {@link QueueFull}. */
  putNowait(item: A): Effect.Effect<void, QueueFull | QueueShutDown>
  /** Takes the next item, waiting while the queue is empty. */
  readonly get: Effect.Effect<A, QueueShutDown>
  /** Takes the next item if there is one, else fails with {@link QueueEmpty}. */
  readonly getNowait: Effect.Effect<A, QueueEmpty | QueueShutDown>
  /** Marks one item taken with `get` as processed. */
  readonly taskDone: Effect.Effect<void, TaskDoneTooManyTimesError>
  /** Waits until every item put has been marked done with `taskDone`. */
  readonly join: Effect.Effect<void>
  /** How many items are queued. */
  readonly qsize: Effect.Effect<number>
  /** Whether no item is queued. */
  readonly empty: Effect.Effect<boolean>
  /** Whether `maxsize` items are queued (never, when unbounded). */
  readonly full: Effect.Effect<boolean>
  /** Shuts the queue down (asyncio 3.13); `immediate` also drops what is queued. */
  shutdown(options?: { readonly immediate?: boolean }): Effect.Effect<void>
}

/** Where a queue keeps its items: the only part PriorityQueue and LifoQueue change. */
export interface Store<A> {
  readonly size: number
  push(item: A): void
  /** Takes the next item; only called when size > 0. */
  take(): A
}

/** A FIFO ring buffer: O(1) amortised push and take. */
class Ring<A> implements Store<A> {
  private items: Array<A | undefined> = new Array(16)
  private head = 0
  size = 0
  push(item: A) {
    if (this.size === this.items.length) this.grow()
    this.items[(this.head + this.size) & (this.items.length - 1)] = item
    this.size++
  }
  take(): A {
    const item = this.items[this.head] as A
    this.items[this.head] = undefined
    this.head = (this.head + 1) & (this.items.length - 1)
    this.size--
    return item
  }
  private grow() {
    const old = this.items
    const items = new Array<A | undefined>(old.length * 2)
    for (let i = 0; i < this.size; i++) items[i] = old[(this.head + i) & (old.length - 1)]
    this.items = items
    this.head = 0
  }
}

const succeedVoid: Exit.Exit<void> = Exit.succeed(undefined)

const shutDown = () => new QueueShutDown({ message: "the queue is shut down" })

/** The engine: CPython's Queue on a {@link Store}. */
class QueueImpl<A> implements Queue<A> {
  private readonly getters = new WaitList<A>()
  private readonly putters = new WaitList<void>()
  private readonly joiners = new WaitList<void>()
  private unfinished = 0
  private isShutdown = false

  constructor(readonly maxsize: number, private readonly store: Store<A>) {}

  private isFull(): boolean {
    return this.maxsize > 0 && this.store.size >= this.maxsize
  }

  /** Puts without checks (the caller made sure there is room). */
  private putUnsafe(item: A) {
    this.store.push(item)
    this.unfinished++
    this.getters.wake()
  }

  private takeUnsafe(): A {
    const item = this.store.take()
    this.putters.wake()
    return item
  }

  /** Interrupted getter: leave the line, or pass a wake-up on while items remain. */
  private readonly onGetterInterrupt = (waiter: Waiter<A>) => {
    if (!this.getters.remove(waiter) && waiter.woken && this.store.size > 0) this.getters.wake()
  }

  private readonly onPutterInterrupt = (waiter: Waiter<void>) => {
    if (!this.putters.remove(waiter) && waiter.woken && !this.isFull()) this.putters.wake()
  }

  readonly get: Effect.Effect<A, QueueShutDown> = Effect.suspend(() => {
    if (this.store.size > 0) return Exit.succeed(this.takeUnsafe())
    if (this.isShutdown) return Exit.fail(shutDown())
    // Woken, it runs `get` again: another fiber may have taken the item first.
    return suspend(this.getters, new Waiter(this.get as Effect.Effect<A>), this.onGetterInterrupt)
  })

  put(item: A): Effect.Effect<void, QueueShutDown> {
    const put: Effect.Effect<void, QueueShutDown> = Effect.suspend(() => {
      if (this.isShutdown) return Exit.fail(shutDown())
      if (!this.isFull()) {
        this.putUnsafe(item)
        return succeedVoid
      }
      return suspend(
        this.putters,
        new Waiter(put as Effect.Effect<void>),
        this.onPutterInterrupt,
      )
    })
    return put
  }

  putNowait(item: A): Effect.Effect<void, QueueFull | QueueShutDown> {
    return Effect.suspend((): Effect.Effect<void, QueueFull | QueueShutDown> => {
      if (this.isShutdown) return Exit.fail(shutDown())
      if (this.isFull()) return Exit.fail(new QueueFull({ message: "the queue is full" }))
      this.putUnsafe(item)
      return succeedVoid
    })
  }

  readonly getNowait: Effect.Effect<A, QueueEmpty | QueueShutDown> = Effect.suspend(() => {
    if (this.store.size > 0) return Exit.succeed(this.takeUnsafe())
    return Exit.fail(
      this.isShutdown ? shutDown() : new QueueEmpty({ message: "the queue is empty" }),
    )
  })

  readonly taskDone: Effect.Effect<void, TaskDoneTooManyTimesError> = Effect.suspend(() => {
    if (this.unfinished <= 0) {
      return Exit.fail(
        new TaskDoneTooManyTimesError({ message: "task_done() called too many times" }),
      )
    }
    if (--this.unfinished === 0) this.joiners.wakeAll()
    return succeedVoid
  })

  private readonly onJoinerInterrupt = (waiter: Waiter<void>) => {
    this.joiners.remove(waiter)
  }

  readonly join: Effect.Effect<void> = Effect.suspend(() =>
    this.unfinished === 0
      ? succeedVoid
      : suspend(this.joiners, new Waiter(Effect.void), this.onJoinerInterrupt)
  )

  readonly qsize = Effect.sync(() => this.store.size)
  readonly empty = Effect.sync(() => this.store.size === 0)
  readonly full = Effect.sync(() => this.isFull())

  shutdown(options?: { readonly immediate?: boolean }): Effect.Effect<void> {
    return Effect.sync(() => {
      this.isShutdown = true
      if (options?.immediate) {
        while (this.store.size > 0) {
          this.store.take()
          if (this.unfinished > 0) this.unfinished--
        }
        if (this.unfinished === 0) this.joiners.wakeAll()
      }
      // Every waiter checks again, and fails with QueueShutDown where it must.
      this.getters.wakeAll()
      this.putters.wakeAll()
    })
  }
}

/** Checks `maxsize`: a defect (RangeError) unless an integer (≤ 0 is unbounded, as in asyncio). */
const checkMaxsize = (maxsize: number, what: string): number => {
  if (!Number.isSafeInteger(maxsize)) {
    throw new RangeError(`${what}: maxsize must be an integer (0 for unbounded), got ${maxsize}`)
  }
  return maxsize
}

/** Makes a queue on `store`: what PriorityQueue and LifoQueue are made of. */
export const makeWithStore = <A>(
  store: Store<A>,
  options: { readonly maxsize?: number } | undefined,
  what: string,
): Queue<A> => new QueueImpl(checkMaxsize(options?.maxsize ?? 0, what), store)

/** Makes a FIFO queue, outside of an Effect. */
export const makeUnsafe = <A>(options?: { readonly maxsize?: number }): Queue<A> =>
  makeWithStore(new Ring<A>(), options, "Queue")

/**
 * Makes a FIFO queue, like `asyncio.Queue(maxsize)`: `maxsize` 0 (the
 * default) or less is unbounded. A maxsize that is not an integer is a defect
 * (`RangeError`).
 */
export const make = <A>(options?: { readonly maxsize?: number }): Effect.Effect<Queue<A>> =>
  Effect.sync(() => makeUnsafe<A>(options))
