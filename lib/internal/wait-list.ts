/**
 * The waiting room of every synchronization primitive (Lock, Semaphore,
 * Condition, Queue): a FIFO of suspended fibers where each operation is O(1),
 * including the removal of a fiber interrupted in the middle of the line
 * (a doubly linked list; asyncio's `deque.remove` is O(n) there).
 *
 * {@link suspend} parks the calling fiber in a list; {@link WaitList.wake}
 * takes the first one out and resumes it later, through the shared ready
 * batch (`./ready.ts`), as asyncio's `future.set_result` schedules the task
 * instead of running it inside the caller.
 */
import { Effect } from "effect"
import { wakeLater } from "./ready.ts"

/** One suspended fiber: a node of a {@link WaitList}. */
export class Waiter<A = void> {
  /** `onWake`: what the fiber runs when it is woken (its asyncio "after the await"). */
  constructor(readonly onWake: Effect.Effect<A>) {}
  prev: Waiter<A> | undefined = undefined
  next: Waiter<A> | undefined = undefined
  /** The list it waits in; undefined once woken, or removed. */
  list: WaitList<A> | undefined = undefined
  /** Woken (asyncio: its future is done), whether or not it has run since. */
  woken = false
  resume: ((effect: Effect.Effect<A>) => void) | undefined = undefined
}

/** A FIFO of {@link Waiter}s, O(1) push, shift and remove. */
export class WaitList<A = void> {
  head: Waiter<A> | undefined = undefined
  tail: Waiter<A> | undefined = undefined
  size = 0

  push(waiter: Waiter<A>): void {
    waiter.list = this
    waiter.prev = this.tail
    waiter.next = undefined
    if (this.tail === undefined) this.head = waiter
    else this.tail.next = waiter
    this.tail = waiter
    this.size++
  }

  /** Takes `waiter` out of the list; false if it was not in it. */
  remove(waiter: Waiter<A>): boolean {
    if (waiter.list !== this) return false
    const { prev, next } = waiter
    if (prev === undefined) this.head = next
    else prev.next = next
    if (next === undefined) this.tail = prev
    else next.prev = prev
    waiter.prev = waiter.next = waiter.list = undefined
    this.size--
    return true
  }

  shift(): Waiter<A> | undefined {
    const waiter = this.head
    if (waiter !== undefined) this.remove(waiter)
    return waiter
  }

  /**
   * Takes the first waiter out and marks it woken; its fiber runs its
   * `onWake` once the caller yields. False if nobody waits.
   */
  wake(): boolean {
    const waiter = this.shift()
    if (waiter === undefined) return false
    waiter.woken = true
    wakeLater(waiter)
    return true
  }

  /** Wakes every waiter, in order. */
  wakeAll(): void {
    while (this.wake()) {
      // each wake takes one out
    }
  }
}

/**
 * Parks the calling fiber in `list` as `waiter` until it is woken. If the
 * fiber is interrupted first, `onInterrupt(waiter)` runs (the waiter is still
 * in the list if it had not been woken, and `waiter.woken` says which): the
 * primitive takes it out, or passes its wake-up on, so nothing is lost.
 */
export const suspend = <A>(
  list: WaitList<A>,
  waiter: Waiter<A>,
  onInterrupt: (waiter: Waiter<A>) => void,
): Effect.Effect<A> =>
  Effect.callback<A>((resume) => {
    waiter.resume = resume
    list.push(waiter)
    return Effect.sync(() => {
      waiter.resume = undefined
      onInterrupt(waiter)
    })
  })
