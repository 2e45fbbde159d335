/**
 * The state of one `Executor.map`: its calls, how far it got, its results.
 * Internal to `effect-asyncio/executor`.
 *
 * A map is one callback for all its calls, not a fiber per call: the sink
 * keeps at most `limit` calls in the pool, puts the next one in as each
 * settles, and resumes the waiting fiber once with the results in order,
 * or with the first failure (cancelling the calls still live).
 *
 * @module
 */
import { Effect } from "effect"
import type { NotCloneableError } from "./errors.ts"
import { outcome, type Resume } from "./fiber-waiter.ts"
import type { Job, Waiter } from "./model.ts"
import type { AnyWorkerFunction } from "./worker-function.ts"

/** What a map needs from its pool. */
export interface MapHost {
  /** Why `args` cannot be sent, when the pool checks before sending; else undefined. */
  readonly check: (
    task: AnyWorkerFunction,
    args: ReadonlyArray<unknown>,
  ) => NotCloneableError | undefined
  /** Queues one call; its job settles through `waiter`, at `index`. */
  readonly enqueue: (
    task: AnyWorkerFunction,
    args: ReadonlyArray<unknown>,
    waiter: Waiter,
    index: number,
  ) => Job
  /** Cancels a job (queued or handed to a worker). */
  readonly cancel: (job: Job) => void
}

export class MapSink implements Waiter {
  readonly results: Array<unknown>
  private readonly live: Array<Job | undefined>
  private next = 0
  private inflight = 0
  private done = 0
  finished = false

  constructor(
    private readonly pool: MapHost,
    private readonly task: AnyWorkerFunction,
    private readonly calls: ReadonlyArray<ReadonlyArray<unknown>>,
    private readonly limit: number,
    private readonly resume: Resume,
  ) {
    this.results = new Array(calls.length)
    this.live = new Array(calls.length)
  }

  /** Puts calls into the pool up to the limit. */
  pump(): void {
    if (this.calls.length === 0) return this.finish(Effect.succeed(this.results))
    while (!this.finished && this.next < this.calls.length && this.inflight < this.limit) {
      const args = this.calls[this.next]
      const bad = this.pool.check(this.task, args)
      if (bad !== undefined) return this.fail(bad)
      this.live[this.next] = this.pool.enqueue(this.task, args, this, this.next)
      this.next++
      this.inflight++
    }
  }

  /** One call ended. */
  settled(job: Job, ok: boolean, value: unknown): void {
    this.live[job.index] = undefined
    this.inflight--
    if (this.finished) return
    if (!ok) return this.fail(value)
    this.results[job.index] = value
    if (++this.done === this.calls.length) return this.finish(Effect.succeed(this.results))
    this.pump()
  }

  /** The map was interrupted: cancel what is still queued or running. */
  cancel(): void {
    this.finished = true
    this.cancelLive()
  }

  private fail(error: unknown) {
    this.cancelLive()
    this.finish(outcome(false, error))
  }

  private finish(effect: Effect.Effect<unknown, unknown>) {
    this.finished = true
    this.resume(effect)
  }

  private cancelLive() {
    for (let i = 0; i < this.next; i++) {
      const job = this.live[i]
      if (job !== undefined) {
        this.live[i] = undefined
        this.pool.cancel(job)
      }
    }
  }
}
