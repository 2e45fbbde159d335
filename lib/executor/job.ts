/**
 * One task handed to the pool, and who waits for it. Internal to
 * `effect-asyncio/executor`.
 *
 * A `Job` is the only object the pool allocates per task. Its `state` says
 * where it is (queued, waiting for room in the queue, handed to a worker,
 * being cancelled there, done); {@link settle} delivers its outcome, once.
 *
 * @module
 */
import { Effect } from "effect"
import type { MapSink } from "./map-sink.ts"
import type { AnyTask } from "./task.ts"
import type { Slot } from "./worker-slot.ts"

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

/** How the pool resumes a waiting fiber (the callback of `Effect.callback`). */
// deno-lint-ignore no-explicit-any
export type Resume = (effect: Effect.Effect<any, any>) => void

export interface Job {
  readonly id: number
  readonly task: AnyTask
  readonly args: ReadonlyArray<unknown>
  /** The fiber waiting for this task alone (`submit`)… */
  readonly resume: Resume | undefined
  /** …or the `map` this task is one call of, and its index there. */
  readonly sink: MapSink | undefined
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

/** Marks an outcome as a cancellation (the waiting fiber is interrupted). */
export const INTERRUPTED: unique symbol = Symbol("effect-asyncio/executor/interrupted")

/** Delivers a task's outcome to whoever waits for it. */
export const settle = (job: Job, ok: boolean, value: unknown): void => {
  job.state = DONE
  if (job.sink !== undefined) job.sink.settle(job, ok, value)
  else {
    job.resume!(
      ok ? Effect.succeed(value) : value === INTERRUPTED ? Effect.interrupt : Effect.fail(value),
    )
  }
}
