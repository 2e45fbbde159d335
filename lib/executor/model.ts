/**
 * The executor's model, at the bottom of its imports: a task handed to the
 * pool (`Job`), who waits for its outcome (`Waiter`), and a worker as the pool
 * tracks it (`Slot`). Internal to `effect-asyncio/executor`; it imports only
 * types from the task and transport modules.
 *
 * A `Job` is the object the pool allocates per task. Its `state` says where
 * it is (queued, waiting for room in the queue, handed to a worker, being
 * cancelled there, done); {@link settle} delivers its outcome to its waiter,
 * once.
 *
 * @module
 */
import type { AnyWorkerFunction } from "./worker-function.ts"
import type { WorkerHandle } from "./transport.ts"

// ---------------------------------------------------------------------------
// Job

/** In the queue. */
export const QUEUED = 0
/** Handed to a worker, not reported yet. */
export const DISPATCHED = 1
/** Settled, or cancelled: nobody waits for it any more. */
export const DONE = 2
/** Beyond `maxQueue`: waiting for room in the queue. */
export const WAITING = 3
/** Cancelled after it was handed to a worker: waiting for the worker's word. */
export const CANCELLING = 4

/** Marks an outcome as a cancellation (the waiting fiber is interrupted). */
export const INTERRUPTED: unique symbol = Symbol("effect-asyncio/executor/interrupted")

/**
 * Who waits for a job's outcome: the fiber of one `submit`, or one `map`
 * (which waits for many jobs, each at its `index`).
 */
export interface Waiter {
  /** The job ended: `ok` and its result, or not and its error ({@link INTERRUPTED}: cancelled). */
  settled(job: Job, ok: boolean, value: unknown): void
}

export interface Job {
  readonly id: number
  readonly task: AnyWorkerFunction
  readonly args: ReadonlyArray<unknown>
  /** Who waits for the outcome. */
  readonly waiter: Waiter
  /** The job's place among its waiter's jobs (a `map`'s call index; 0 for `submit`). */
  readonly index: number
  state: number
  slot: Slot | undefined
  /** Silent crashes at which this task was certainly running (alone on its worker). */
  strikes: number
  /** It was among the unreported tasks of a silent crash: it runs alone until it ends. */
  suspect: boolean
  /** Its position among the tasks sent to its worker (for the shared task flags). */
  position: number
}

/** Delivers a job's outcome to its waiter, and marks it done. */
export const settle = (job: Job, ok: boolean, value: unknown): void => {
  job.state = DONE
  job.waiter.settled(job, ok, value)
}

// ---------------------------------------------------------------------------
// Slot

/** Working, or idle and ready for work. */
export const ALIVE = 0
/** Asked to exit; terminated if it has not by the close timeout. */
export const CLOSING = 1
/** Exited, or terminated: its exit event may still be on the way. */
export const DEAD = 2

/** One worker as the pool tracks it (its life's steps are in worker-slot.ts). */
export interface Slot {
  readonly handle: WorkerHandle
  /** Tasks handed to the worker and not reported yet, in run order, from `head`. */
  inflight: Array<Job>
  head: number
  /** Task keys this worker has the definition of. */
  readonly known: Set<number>
  state: number
  refd: boolean
  /** Stop handing it work (its task module failed to import). */
  retiring: boolean
  /** From the worker's exit marker: the task it was running, -1 for none. */
  exitCurrent: number | undefined
  exitCode: number | undefined
  closeTimer: ReturnType<typeof setTimeout> | undefined
  /** Terminated by the pool to stop its running task (already settled). */
  killed: boolean
  /** Cancelled tasks the worker has not answered for yet, and the deadline for its word. */
  cancelling: number
  cancelTimer: ReturnType<typeof setTimeout> | undefined
  /** Tasks sent to the worker so far (the next one's position). */
  sent: number
}
