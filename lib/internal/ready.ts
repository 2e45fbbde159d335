/**
 * The ready batch: the fibers that a Lock, Semaphore, Condition or Queue
 * woke, resumed together, in the order they were woken, by one scheduler
 * task. It is asyncio's ready queue for these primitives: `set_result` on a
 * waiter's future schedules the task with `call_soon`; the waker keeps
 * running until it yields, then the woken run in order.
 *
 * One task per batch, not one per wake-up: a `notifyAll` or a queue shutdown
 * waking 100 000 fibers books one scheduler task. The task goes to the
 * dispatcher of the fiber that opened the batch (the waker), so on Effect's
 * default scheduler the woken fibers run before that waker's own next turn,
 * as in asyncio. Fibers woken while a batch runs go to the next batch.
 */
import { Fiber } from "effect"

interface Resumable {
  resume: ((effect: never) => void) | undefined
  readonly onWake: unknown
}

let batch: Array<Resumable> = []
let scheduled = false

const flush = () => {
  const ready = batch
  batch = []
  scheduled = false
  for (let i = 0; i < ready.length; i++) {
    const waiter = ready[i]
    const resume = waiter.resume
    if (resume === undefined) continue // interrupted after its wake-up: it passed it on
    waiter.resume = undefined
    resume(waiter.onWake as never)
  }
}

/** Schedules `waiter.resume(waiter.onWake)` for when the current fiber yields. */
export const wakeLater = (waiter: Resumable): void => {
  batch.push(waiter)
  if (scheduled) return
  scheduled = true
  const fiber = Fiber.getCurrent()
  if (fiber !== undefined) fiber.currentDispatcher.scheduleTask(flush, 0)
  else setTimeout(flush, 0) // called from outside any fiber: the host's next turn
}
