/**
 * The pool engine behind both executors. Internal to `effect-asyncio/executor`.
 *
 * It is plain callbacks on purpose: a task costs one small `Job` object, one
 * slot in an array queue, and the `resume` of the fiber waiting for it; no
 * fiber, Deferred or Queue per task. Effect's `Pool`, `Queue` and
 * `Semaphore` were the first candidates and were set aside because the hot
 * path needs what they do not give: taking up to N queued tasks at once to
 * send as one batch, removing a cancelled task from the middle of the queue
 * in O(1), and dispatching synchronously from a worker's message handler.
 * The public surface (lib/executor.ts) is Effect: `submit` is an
 * `Effect.callback`, failures are tagged errors, the pool is a scoped resource.
 *
 * This file holds the decisions: scheduling, cancelling, what a worker's
 * death means for its tasks, shutdown. The parts live beside it: a task, its
 * waiter and a worker's record in model.ts (the bottom of the imports), the
 * queue in job-queue.ts, a worker's life (start, ref, close, terminate) in
 * worker-slot.ts, the waiter of one `submit` in fiber-waiter.ts and of one
 * `map` in map-sink.ts, whom a death blames in blame.ts, what to do with a
 * batch that could not be sent in resend.ts, and what went wrong → the typed
 * error in to-error.ts.
 *
 * Scheduling: each worker runs its tasks one at a time, in order. A worker is
 * handed a batch when it is idle: one task when the queue is short, up to
 * {@link MAX_BATCH} when it is deep (several tasks per message, several
 * results per message back).
 *
 * Interruption is decided by the worker's own word. A queued task that is
 * cancelled is skipped. A task handed to a worker is asked to be skipped
 * there: the worker answers at once that it skipped it (it had not started)
 * or that it is running it; a worker that says it is running it, or says
 * nothing within {@link CANCEL_GRACE_MS} (it is busy in synchronous code,
 * maybe this very task), is terminated. The first unreported task of a
 * worker is treated as running: its worker is terminated at once.
 *
 * Failure rule: a crash fails only the task that was running. The worker
 * says which (its exit handler reports the task it was in); a worker killed
 * from outside says nothing, and then its unreported tasks are run again,
 * each alone on a worker, so that a second crash names its task. A task
 * that was running, alone, at `MAX_STRIKES` such silent crashes fails
 * with `BrokenWorkerError`; nothing else is ever failed for a crash. The
 * tasks of a worker the pool terminated itself (to stop an interrupted task)
 * are run again, with no strike.
 *
 * @module
 */
import { Effect } from "effect"
import { blame } from "./blame.ts"
import type { NotCloneableError } from "./errors.ts"
import { errorFromStatus, notCloneable, refusal, workerDied } from "./to-error.ts"
import { FiberWaiter, type Resume } from "./fiber-waiter.ts"
import { JobQueue } from "./job-queue.ts"
import { type MapHost, MapSink } from "./map-sink.ts"
import {
  ALIVE,
  CANCELLING,
  DEAD,
  DISPATCHED,
  DONE,
  INTERRUPTED,
  type Job,
  QUEUED,
  settle,
  type Slot,
  type Waiter,
} from "./model.ts"
import {
  BATCH,
  CANCEL,
  CANCELLED,
  cloneProblem,
  EXIT,
  holdsSharedMemory,
  IMPORT_FAILED,
  OK,
  RESULTS,
} from "./protocol.ts"
import { splitRefused } from "./resend.ts"
import { type AnyWorkerFunction, workerFunctionName } from "./worker-function.ts"
import type { Spawner } from "./transport.ts"
import {
  clearCancelTimer,
  closeSlot,
  refSlot,
  slotExited,
  spawnSlot,
  terminateSlot,
  unrefSlot,
} from "./worker-slot.ts"

/** The most tasks sent to one worker in one message. */
export const MAX_BATCH = 64
/** How long a worker may take to say whether it skipped a cancelled task before it is terminated (ms). */
export const CANCEL_GRACE_MS = 100

export interface PoolOptions {
  readonly kind: "thread" | "process"
  readonly maxWorkers: number
  readonly maxQueue: number
  /** How long a closing worker may take to exit before it is terminated (ms). */
  readonly closeTimeoutMs: number
  readonly spawner: Spawner
  /** Check arguments before sending (the process pool cannot afford a failed send). */
  readonly precheckArgs: boolean
}

export interface PoolStats {
  /** Live workers (started lazily, reused). */
  readonly workers: number
  /** Workers started since the pool was made (replacements included). */
  readonly spawned: number
  /** Workers that died or were terminated while they had work. */
  readonly crashed: number
  /** Tasks waiting in the queue. */
  readonly queued: number
  /** Tasks handed to a worker and not finished. */
  readonly running: number
}

export class Pool {
  private readonly queue: JobQueue
  private readonly slots = new Set<Slot>()
  private readonly idle: Array<Slot> = []
  private alive = 0
  private running = 0
  private spawned = 0
  private crashed = 0
  private nextId = 0
  private dispatchScheduled = false
  private closed = false
  private readonly drained: Array<() => void> = []
  /** What a `map` may do with the pool: check, enqueue, cancel. */
  private readonly mapHost: MapHost = {
    check: (task, args) => this.checkArgs(task, args),
    enqueue: (task, args, waiter, index) => this.enqueue(task, args, waiter, index),
    cancel: (job) => this.cancel(job),
  }

  constructor(readonly options: PoolOptions) {
    this.queue = new JobQueue(options.maxQueue)
  }

  get isShutdown(): boolean {
    return this.closed
  }

  stats(): PoolStats {
    return {
      workers: this.alive,
      spawned: this.spawned,
      crashed: this.crashed,
      queued: this.queue.size,
      running: this.running,
    }
  }

  // ---------------------------------------------------------------------------
  // submit / cancel

  /** The argument that cannot be sent, as an error, when the pool checks before sending. */
  private checkArgs(
    task: AnyWorkerFunction,
    args: ReadonlyArray<unknown>,
  ): NotCloneableError | undefined {
    if (!this.options.precheckArgs) return undefined
    for (let i = 0; i < args.length; i++) {
      const problem = cloneProblem(args[i])
      if (problem !== undefined) return notCloneable(task, i, problem)
      // Cloning would copy it silently, and the task's writes would be lost.
      if (this.options.kind === "process" && holdsSharedMemory(args[i])) {
        return notCloneable(
          task,
          i,
          "a SharedArrayBuffer cannot be shared across processes (use a thread pool to share memory)",
        )
      }
    }
    return undefined
  }

  /** Queues a task; returns the job (to cancel it), or undefined if it failed at once. */
  submit(task: AnyWorkerFunction, args: ReadonlyArray<unknown>, resume: Resume): Job | undefined {
    const refused = refusal(this.closed, task) ?? this.checkArgs(task, args)
    if (refused !== undefined) {
      resume(Effect.fail(refused))
      return undefined
    }
    return this.enqueue(task, args, new FiberWaiter(resume), 0)
  }

  /**
   * Runs `task` once per argument list, at most `limit` in flight, and
   * resumes with the results in order (or the first failure, cancelling the
   * rest). One callback for the whole map, no fiber per call. Returns the
   * canceller, or undefined if it finished at once.
   */
  map(
    task: AnyWorkerFunction,
    calls: ReadonlyArray<ReadonlyArray<unknown>>,
    limit: number,
    resume: Resume,
  ): (() => void) | undefined {
    const refused = refusal(this.closed, task)
    if (refused !== undefined) {
      resume(Effect.fail(refused))
      return undefined
    }
    const sink = new MapSink(this.mapHost, task, calls, limit, resume)
    sink.pump()
    return sink.finished ? undefined : () => sink.cancel()
  }

  private enqueue(
    task: AnyWorkerFunction,
    args: ReadonlyArray<unknown>,
    waiter: Waiter,
    index: number,
  ): Job {
    const job: Job = {
      id: this.nextId++,
      task,
      args,
      waiter,
      index,
      state: QUEUED,
      slot: undefined,
      strikes: 0,
      suspect: false,
      position: 0,
    }
    this.queue.push(job)
    this.scheduleDispatch()
    return job
  }

  /** The fiber waiting for `job` was interrupted. */
  cancel(job: Job): void {
    if (this.queue.cancel(job)) return
    switch (job.state) {
      case DISPATCHED: {
        const slot = job.slot!
        this.running--
        const at = slot.inflight.indexOf(job, slot.head)
        if (at === -1 || slot.state === DEAD) {
          job.state = DONE
        } else if (slot.handle.tryCancel !== undefined) {
          // A thread worker's word is in shared memory: the answer is here now.
          job.state = DONE
          const answer = slot.handle.tryCancel(job.position)
          if (answer === "skipped") {
            slot.inflight.splice(at, 1)
            this.afterReport(slot)
          } else if (answer === "running") {
            if (at === slot.head) slot.head++
            else slot.inflight.splice(at, 1)
            this.kill(slot)
          }
          // "finished": its result is on the way, and goes nowhere.
        } else if (at === slot.head) {
          // The first unreported task is (or may be) running: only terminating the worker stops it.
          job.state = DONE
          slot.head++
          this.kill(slot)
        } else {
          // Handed over, maybe started (its predecessors may be done, unreported): ask the worker.
          job.state = CANCELLING
          slot.cancelling++
          try {
            slot.handle.send([CANCEL, job.id])
          } catch {
            // the channel is gone: the timer below terminates the worker
          }
          slot.cancelTimer ??= setTimeout(() => {
            slot.cancelTimer = undefined
            if (slot.cancelling > 0) this.kill(slot)
          }, CANCEL_GRACE_MS)
        }
        return
      }
    }
  }

  // ---------------------------------------------------------------------------
  // dispatch

  private scheduleDispatch() {
    if (this.dispatchScheduled) return
    this.dispatchScheduled = true
    // A microtask later, so that a burst of submits goes out as one batch.
    queueMicrotask(() => {
      this.dispatchScheduled = false
      this.dispatch()
    })
  }

  private dispatch() {
    this.queue.admitOverflow()
    while (this.queue.queued > 0) {
      let slot = this.idle.pop()
      if (slot === undefined) {
        if (this.alive >= this.options.maxWorkers) return
        slot = this.spawn()
        if (slot === undefined) return
      }
      // Deep queue: hand out several tasks at once, keeping enough queued to balance.
      const size = Math.min(
        MAX_BATCH,
        Math.max(1, Math.floor(this.queue.queued / (2 * this.options.maxWorkers))),
      )
      this.sendBatch(slot, size)
    }
    if (this.closed) this.closeIdle()
  }

  private sendBatch(slot: Slot, size: number) {
    const jobs: Array<Job> = []
    let defs: Array<unknown> | 0 = 0
    const message: Array<unknown> = [BATCH, 0]
    while (jobs.length < size) {
      // A suspect of a silent crash runs alone, so that a crash while it runs names it.
      const next = this.queue.peek()
      if (next === undefined || (next.suspect && jobs.length > 0)) break
      const job = this.queue.take()!
      const key = job.task.key
      if (!slot.known.has(key)) {
        slot.known.add(key)
        if (defs === 0) defs = []
        defs.push(key, job.task.module, job.task.exportName)
      }
      message.push(job.id, key, job.args)
      jobs.push(job)
      if (job.suspect) break
    }
    if (jobs.length === 0) {
      this.idle.push(slot)
      return
    }
    message[1] = defs
    if (slot.handle.prepare !== undefined) {
      for (let i = 0; i < jobs.length; i++) slot.handle.prepare(jobs[i].position = slot.sent + i)
    }
    try {
      slot.handle.send(message)
    } catch {
      // Some argument cannot be cloned: fail those tasks, send the others.
      const { resend: good, unsendable } = splitRefused(jobs)
      for (const { job, index, problem } of unsendable) {
        settle(job, false, notCloneable(job.task, index, problem))
      }
      const retry: Array<unknown> = [BATCH, defs]
      for (const job of good) retry.push(job.id, job.task.key, job.args)
      if (slot.handle.prepare !== undefined) {
        for (let i = 0; i < good.length; i++) slot.handle.prepare(good[i].position = slot.sent + i)
      }
      try {
        if (good.length > 0) slot.handle.send(retry)
      } catch (error) {
        for (const job of good) {
          settle(job, false, notCloneable(job.task, 0, String(error)))
        }
        good.length = 0
      }
      jobs.length = 0
      jobs.push(...good)
      if (jobs.length === 0) {
        this.idle.push(slot)
        return
      }
    }
    slot.sent += jobs.length
    for (const job of jobs) {
      job.state = DISPATCHED
      job.slot = slot
    }
    this.running += jobs.length
    if (slot.inflight.length === 0) slot.inflight = jobs
    else slot.inflight.push(...jobs)
    refSlot(slot)
  }

  // ---------------------------------------------------------------------------
  // workers

  private spawn(): Slot | undefined {
    let slot: Slot
    try {
      slot = spawnSlot(this.options.spawner, (slot) => ({
        onMessage: (message) => this.onMessage(slot, message),
        onExit: (code, error) => this.onExit(slot, code, error),
      }))
    } catch (error) {
      // The runtime refused to start a worker: fail what is queued rather than hang.
      for (let job = this.queue.take(); job !== undefined; job = this.queue.take()) {
        const message = `could not start a ${this.options.kind} worker: ${String(error)}`
        settle(job, false, workerDied(job.task, message, error))
      }
      return undefined
    }
    this.slots.add(slot)
    this.alive++
    this.spawned++
    return slot
  }

  private onMessage(slot: Slot, message: Array<unknown>) {
    if (message[0] === EXIT) {
      slot.exitCurrent = message[1] as number
      slot.exitCode = message[2] as number
      return
    }
    if (message[0] === CANCELLED) return this.onCancelled(slot, message[1] as number, message[2])
    if (message[0] !== RESULTS) return
    for (let i = 1; i < message.length; i += 3) {
      const job = slot.inflight[slot.head]
      // A result for a task cancelled after it had started: nobody waits for it.
      if (job === undefined || job.id !== message[i]) continue
      slot.inflight[slot.head++] = undefined as unknown as Job
      if (job.state === CANCELLING) {
        // It ran to the end before the worker read the cancel: nobody waits for it.
        job.state = DONE
        this.answered(slot)
        continue
      }
      // Cancelled after it had finished: nobody waits for it.
      if (job.state === DONE) continue
      this.running--
      const status = message[i + 1] as number
      if (status === OK) {
        settle(job, true, message[i + 2])
      } else {
        if (status === IMPORT_FAILED) slot.retiring = true
        settle(job, false, errorFromStatus(job.task, status, message[i + 2]))
      }
    }
    this.afterReport(slot)
  }

  /** The worker answered a cancel: `started` 0, it skipped the task; else it is running it. */
  private onCancelled(slot: Slot, id: number, started: unknown) {
    let at = -1
    for (let i = slot.head; i < slot.inflight.length; i++) {
      if (slot.inflight[i].id === id) {
        at = i
        break
      }
    }
    const job = at === -1 ? undefined : slot.inflight[at]
    if (job === undefined || job.state !== CANCELLING) return
    if (started !== 0) return this.kill(slot)
    job.state = DONE
    slot.inflight.splice(at, 1)
    this.answered(slot)
    this.afterReport(slot)
  }

  /** One cancelled task of `slot` is accounted for. */
  private answered(slot: Slot) {
    if (--slot.cancelling === 0) clearCancelTimer(slot)
  }

  /** A worker whose every task is reported is idle (or retires). */
  private afterReport(slot: Slot) {
    if (slot.head === slot.inflight.length && slot.state === ALIVE) {
      slot.inflight = []
      slot.head = 0
      if (slot.retiring) {
        this.close(slot)
      } else {
        unrefSlot(slot)
        this.idle.push(slot)
      }
      this.scheduleDispatch()
    }
  }

  private onExit(slot: Slot, code: number | null, error: unknown) {
    if (slot.state !== DEAD) this.forget(slot)
    slotExited(slot)
    this.slots.delete(slot)
    const orphans: Array<Job> = []
    for (let i = slot.head; i < slot.inflight.length; i++) {
      const job = slot.inflight[i]
      if (job.state === DISPATCHED) orphans.push(job)
      else if (job.state === CANCELLING) job.state = DONE
    }
    slot.inflight = []
    slot.head = 0
    slot.cancelling = 0
    if (orphans.length > 0) this.crashed++
    // Who ran when it died (blame.ts): the culprit fails, the others run again.
    const culprit = blame(orphans, slot)
    const requeue: Array<Job> = []
    for (const job of orphans) {
      if (job === culprit) {
        this.running--
        const exitCode = slot.exitCode ?? code
        const message = `the ${this.options.kind} worker running ${
          workerFunctionName(job.task)
        } died (${exitCode === null ? `signal ${String(error)}` : `exit code ${exitCode}`})${
          error instanceof Error ? `: ${error.message}` : ""
        }`
        settle(job, false, workerDied(job.task, message, error, exitCode))
      } else {
        job.slot = undefined
        this.running--
        requeue.push(job)
      }
    }
    if (requeue.length > 0) {
      // Back to the front of the queue, in their order (they had not started, or must run again).
      this.queue.requeueFront(requeue)
    }
    this.scheduleDispatch()
    this.checkDrained()
  }

  /** Stops counting `slot` as a live worker (it is closing, dying or dead). */
  private forget(slot: Slot) {
    if (slot.state === ALIVE) this.alive--
    const at = this.idle.indexOf(slot)
    if (at !== -1) this.idle.splice(at, 1)
  }

  /** Terminates a worker now (its running task was interrupted). */
  private kill(slot: Slot) {
    clearCancelTimer(slot)
    if (slot.state === DEAD) return
    this.forget(slot)
    // Its unreported tasks are requeued by onExit, once every result it sent is in.
    terminateSlot(slot)
    this.scheduleDispatch()
  }

  /** Two-phase close: ask the worker to exit, terminate it if it has not in time. */
  private close(slot: Slot) {
    if (slot.state !== ALIVE) return
    this.forget(slot)
    closeSlot(slot, this.options.closeTimeoutMs)
  }

  private closeIdle() {
    if (this.queue.queued > 0) return
    for (const slot of this.idle.splice(0)) this.close(slot)
  }

  // ---------------------------------------------------------------------------
  // shutdown

  /**
   * Stops accepting tasks. `cancelFutures` cancels the queued ones (their
   * fibers are interrupted); the rest run to the end, then the workers close.
   * `onDrained` is called once every worker is gone.
   */
  shutdown(cancelFutures: boolean, onDrained?: () => void): void {
    this.closed = true
    if (cancelFutures) this.cancelQueued()
    if (onDrained) this.drained.push(onDrained)
    this.dispatch()
    this.closeIdle()
    this.checkDrained()
  }

  /** Shutdown for a failed or interrupted scope: cancel everything, terminate every worker. */
  terminate(onDrained?: () => void): void {
    this.closed = true
    this.cancelQueued()
    if (onDrained) this.drained.push(onDrained)
    for (const slot of [...this.slots]) {
      for (let i = slot.head; i < slot.inflight.length; i++) {
        const job = slot.inflight[i]
        if (job.state !== DISPATCHED) continue
        this.running--
        settle(job, false, INTERRUPTED)
      }
      slot.inflight = []
      slot.head = 0
      this.kill(slot)
    }
    this.checkDrained()
  }

  private cancelQueued() {
    for (const job of this.queue.drain()) settle(job, false, INTERRUPTED)
  }

  private checkDrained() {
    if (!this.closed || this.slots.size > 0 || this.queue.queued > 0) return
    for (const f of this.drained.splice(0)) f()
  }
}
