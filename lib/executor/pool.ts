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
 * that was running, alone, at {@link MAX_STRIKES} such silent crashes fails
 * with `BrokenWorkerError`; nothing else is ever failed for a crash. The
 * tasks of a worker the pool terminated itself (to stop an interrupted task)
 * are run again, with no strike.
 *
 * @module
 */
import { Effect } from "effect"
import {
  BrokenWorkerError,
  ExecutorShutdownError,
  NotCloneableError,
  TaskError,
  TaskNotFoundError,
} from "./errors.ts"
import {
  BATCH,
  CANCEL,
  CANCELLED,
  cloneProblem,
  EXIT,
  holdsSharedMemory,
  IMPORT_FAILED,
  NOT_FOUND,
  OK,
  type RemoteError,
  RESULT_NOT_CLONEABLE,
  RESULTS,
  THREW,
} from "./protocol.ts"
import { type AnyTask, isTask, taskName } from "./task.ts"
import type { Spawner, WorkerHandle } from "./transport.ts"

/** The most tasks sent to one worker in one message. */
export const MAX_BATCH = 64
/** A task that was running alone at this many silent crashes (no word from the worker) fails. */
export const MAX_STRIKES = 2
/** How long a worker may take to say whether it skipped a cancelled task before it is terminated (ms). */
export const CANCEL_GRACE_MS = 100

const QUEUED = 0
const DISPATCHED = 1
const DONE = 2
const WAITING = 3
/** Cancelled after it was handed to a worker: waiting for the worker's word. */
const CANCELLING = 4

// deno-lint-ignore no-explicit-any
type Resume = (effect: Effect.Effect<any, any>) => void

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
const INTERRUPTED: unique symbol = Symbol("effect-asyncio/executor/interrupted")

/** Delivers a task's outcome to whoever waits for it. */
const settle = (job: Job, ok: boolean, value: unknown): void => {
  job.state = DONE
  if (job.sink !== undefined) job.sink.settle(job, ok, value)
  else {
    job.resume!(
      ok ? Effect.succeed(value) : value === INTERRUPTED ? Effect.interrupt : Effect.fail(value),
    )
  }
}

const ALIVE = 0
const CLOSING = 1
const DEAD = 2

interface Slot {
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

/** Fails `job` because its worker could not start or died (a `BrokenWorkerError` of reason "exit"). */
const failWorkerDied = (job: Job, message: string, cause: unknown, exitCode?: number | null) =>
  settle(
    job,
    false,
    new BrokenWorkerError({
      task: taskName(job.task),
      reason: "exit",
      ...(exitCode === undefined ? {} : { exitCode }),
      message,
      cause,
    }),
  )

export class Pool {
  private queue: Array<Job | undefined> = []
  private qhead = 0
  private queued = 0
  private overflow: Array<Job> = []
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

  constructor(readonly options: PoolOptions) {}

  get isShutdown(): boolean {
    return this.closed
  }

  stats(): PoolStats {
    return {
      workers: this.alive,
      spawned: this.spawned,
      crashed: this.crashed,
      queued: this.queued + this.overflow.length,
      running: this.running,
    }
  }

  // ---------------------------------------------------------------------------
  // submit / cancel

  /** Why a task cannot be accepted now, or undefined. */
  private refuse(task: AnyTask): unknown {
    if (this.closed) {
      return new ExecutorShutdownError({ message: "cannot schedule new tasks after shutdown" })
    }
    if (!isTask(task)) {
      return new NotCloneableError({
        task: String((task as { name?: string })?.name || "anonymous"),
        argument: "result",
        message:
          "a closure cannot be sent to a worker: declare the function with task(import.meta.url, name, fn) and export it",
      })
    }
    return undefined
  }

  /** The argument that cannot be sent, as an error, when the pool checks before sending. */
  private checkArgs(task: AnyTask, args: ReadonlyArray<unknown>): NotCloneableError | undefined {
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
  submit(task: AnyTask, args: ReadonlyArray<unknown>, resume: Resume): Job | undefined {
    const refused = this.refuse(task) ?? this.checkArgs(task, args)
    if (refused !== undefined) {
      resume(Effect.fail(refused))
      return undefined
    }
    return this.enqueue(task, args, resume, undefined, 0)
  }

  /**
   * Runs `task` once per argument list, at most `limit` in flight, and
   * resumes with the results in order (or the first failure, cancelling the
   * rest). One callback for the whole map, no fiber per call. Returns the
   * canceller, or undefined if it finished at once.
   */
  map(
    task: AnyTask,
    calls: ReadonlyArray<ReadonlyArray<unknown>>,
    limit: number,
    resume: Resume,
  ): (() => void) | undefined {
    const refused = this.refuse(task)
    if (refused !== undefined) {
      resume(Effect.fail(refused))
      return undefined
    }
    const sink = new MapSink(this, task, calls, limit, resume)
    sink.pump()
    return sink.finished ? undefined : () => sink.cancel()
  }

  /** @internal for MapSink */
  enqueue(
    task: AnyTask,
    args: ReadonlyArray<unknown>,
    resume: Resume | undefined,
    sink: MapSink | undefined,
    index: number,
  ): Job {
    const job: Job = {
      id: this.nextId++,
      task,
      args,
      resume,
      sink,
      index,
      state: QUEUED,
      slot: undefined,
      strikes: 0,
      suspect: false,
      position: 0,
    }
    if (this.queued >= this.options.maxQueue) {
      job.state = WAITING
      this.overflow.push(job)
    } else {
      this.queue.push(job)
      this.queued++
    }
    this.scheduleDispatch()
    return job
  }

  /** @internal for MapSink */
  check(task: AnyTask, args: ReadonlyArray<unknown>): NotCloneableError | undefined {
    return this.checkArgs(task, args)
  }

  /** The fiber waiting for `job` was interrupted. */
  cancel(job: Job): void {
    switch (job.state) {
      case QUEUED:
        job.state = DONE
        this.queued--
        return
      case WAITING:
        job.state = DONE
        this.overflow.splice(this.overflow.indexOf(job), 1)
        return
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
    this.admitOverflow()
    while (this.queued > 0) {
      let slot = this.idle.pop()
      if (slot === undefined) {
        if (this.alive >= this.options.maxWorkers) return
        slot = this.spawn()
        if (slot === undefined) return
      }
      // Deep queue: hand out several tasks at once, keeping enough queued to balance.
      const size = Math.min(
        MAX_BATCH,
        Math.max(1, Math.floor(this.queued / (2 * this.options.maxWorkers))),
      )
      this.sendBatch(slot, size)
    }
    if (this.closed) this.closeIdle()
  }

  private admitOverflow() {
    while (this.overflow.length > 0 && this.queued < this.options.maxQueue) {
      const job = this.overflow.shift()!
      job.state = QUEUED
      this.queue.push(job)
      this.queued++
    }
  }

  private takeQueued(): Job | undefined {
    while (this.qhead < this.queue.length) {
      const job = this.queue[this.qhead]
      this.queue[this.qhead++] = undefined
      if (job !== undefined && job.state === QUEUED) {
        this.queued--
        if (this.qhead === this.queue.length) {
          this.queue = []
          this.qhead = 0
        } else if (this.qhead > 1024 && this.qhead * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.qhead)
          this.qhead = 0
        }
        return job
      }
    }
    return undefined
  }

  private peekQueued(): Job | undefined {
    for (let i = this.qhead; i < this.queue.length; i++) {
      const job = this.queue[i]
      if (job !== undefined && job.state === QUEUED) return job
    }
    return undefined
  }

  private sendBatch(slot: Slot, size: number) {
    const jobs: Array<Job> = []
    let defs: Array<unknown> | 0 = 0
    const message: Array<unknown> = [BATCH, 0]
    while (jobs.length < size) {
      // A suspect of a silent crash runs alone, so that a crash while it runs names it.
      const next = this.peekQueued()
      if (next === undefined || (next.suspect && jobs.length > 0)) break
      const job = this.takeQueued()!
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
      const good: Array<Job> = []
      const retry: Array<unknown> = [BATCH, defs]
      for (const job of jobs) {
        const bad = job.args.findIndex((arg) => cloneProblem(arg) !== undefined)
        if (bad === -1) {
          good.push(job)
          retry.push(job.id, job.task.key, job.args)
          continue
        }
        settle(job, false, notCloneable(job.task, bad, cloneProblem(job.args[bad])!))
      }
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
    if (!slot.refd) {
      slot.refd = true
      slot.handle.ref()
    }
  }

  // ---------------------------------------------------------------------------
  // workers

  private spawn(): Slot | undefined {
    const slot: Slot = {
      handle: undefined as unknown as WorkerHandle,
      inflight: [],
      head: 0,
      known: new Set(),
      state: ALIVE,
      refd: true,
      retiring: false,
      exitCurrent: undefined,
      exitCode: undefined,
      closeTimer: undefined,
      killed: false,
      cancelling: 0,
      cancelTimer: undefined,
      sent: 0,
    }
    try {
      ;(slot as { handle: WorkerHandle }).handle = this.options.spawner({
        onMessage: (message) => this.onMessage(slot, message),
        onExit: (code, error) => this.onExit(slot, code, error),
      })
    } catch (error) {
      // The runtime refused to start a worker: fail what is queued rather than hang.
      for (let job = this.takeQueued(); job !== undefined; job = this.takeQueued()) {
        failWorkerDied(
          job,
          `could not start a ${this.options.kind} worker: ${String(error)}`,
          error,
        )
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
        settle(job, false, failure(job.task, status, message[i + 2]))
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
    if (--slot.cancelling === 0 && slot.cancelTimer !== undefined) {
      clearTimeout(slot.cancelTimer)
      slot.cancelTimer = undefined
    }
  }

  /** A worker whose every task is reported is idle (or retires). */
  private afterReport(slot: Slot) {
    if (slot.head === slot.inflight.length && slot.state === ALIVE) {
      slot.inflight = []
      slot.head = 0
      if (slot.retiring) {
        this.close(slot)
      } else {
        if (slot.refd) {
          slot.refd = false
          slot.handle.unref()
        }
        this.idle.push(slot)
      }
      this.scheduleDispatch()
    }
  }

  private onExit(slot: Slot, code: number | null, error: unknown) {
    if (slot.closeTimer !== undefined) clearTimeout(slot.closeTimer)
    if (slot.cancelTimer !== undefined) clearTimeout(slot.cancelTimer)
    if (slot.state !== DEAD) this.forget(slot)
    slot.state = DEAD
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
    // Who ran when it died. The worker's word (its exit handler names the task it was in) decides;
    // a worker the pool terminated blames nobody (its interrupted task is settled already).
    // Silence (killed from outside) certainly blames a task only when it was the only one handed
    // over; then it earns a strike. Several unreported tasks become suspects, run alone next time.
    let culprit: Job | undefined
    if (!slot.killed) {
      if (slot.exitCurrent !== undefined) {
        culprit = orphans.find((job) => job.id === slot.exitCurrent)
      } else if (orphans.length === 1) {
        if (++orphans[0].strikes >= MAX_STRIKES) culprit = orphans[0]
        orphans[0].suspect = true
      } else {
        for (const job of orphans) job.suspect = true
      }
    }
    const requeue: Array<Job> = []
    for (const job of orphans) {
      if (job === culprit) {
        this.running--
        const exitCode = slot.exitCode ?? code
        failWorkerDied(
          job,
          `the ${this.options.kind} worker running ${taskName(job.task)} died (${
            exitCode === null ? `signal ${String(error)}` : `exit code ${exitCode}`
          })${error instanceof Error ? `: ${error.message}` : ""}`,
          error,
          exitCode,
        )
      } else {
        job.state = QUEUED
        job.slot = undefined
        this.running--
        requeue.push(job)
      }
    }
    if (requeue.length > 0) {
      // Back to the front of the queue, in their order (they had not started, or must run again).
      this.queue.splice(this.qhead, 0, ...requeue)
      this.queued += requeue.length
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
    if (slot.cancelTimer !== undefined) {
      clearTimeout(slot.cancelTimer)
      slot.cancelTimer = undefined
    }
    if (slot.state === DEAD) return
    this.forget(slot)
    slot.state = DEAD
    slot.killed = true
    // Its unreported tasks are requeued by onExit, once every result it sent is in.
    slot.handle.terminate()
    this.scheduleDispatch()
  }

  /** Two-phase close: ask the worker to exit, terminate it if it has not in time. */
  private close(slot: Slot) {
    if (slot.state !== ALIVE) return
    this.forget(slot)
    slot.state = CLOSING
    // Whoever waits for the shutdown waits for this exit: keep the program alive for it.
    if (!slot.refd) {
      slot.refd = true
      slot.handle.ref()
    }
    try {
      slot.handle.close()
    } catch {
      // already gone: its exit event follows
    }
    slot.closeTimer = setTimeout(() => slot.handle.terminate(), this.options.closeTimeoutMs) // The timer must not be what keeps the program alive.
    ;(slot.closeTimer as { unref?: () => void }).unref?.()
  }

  private closeIdle() {
    if (this.queued > 0) return
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
    const jobs = [...this.overflow]
    this.overflow = []
    for (let job = this.takeQueued(); job !== undefined; job = this.takeQueued()) jobs.push(job)
    for (const job of jobs) settle(job, false, INTERRUPTED)
  }

  private checkDrained() {
    if (!this.closed || this.slots.size > 0 || this.queued > 0) return
    for (const f of this.drained.splice(0)) f()
  }
}

const notCloneable = (task: AnyTask, argument: number, problem: string) =>
  new NotCloneableError({
    task: taskName(task),
    argument,
    message: `argument ${argument} of ${taskName(task)}: ${problem}`,
  })

const failure = (task: AnyTask, status: number, value: unknown) => {
  const name = taskName(task)
  switch (status) {
    case THREW: {
      const remote = value as RemoteError
      return new TaskError({
        task: name,
        name: remote.name,
        message: remote.message,
        stack: remote.stack,
        ...(remote.value === undefined ? {} : { value: remote.value }),
      })
    }
    case RESULT_NOT_CLONEABLE:
      return new NotCloneableError({
        task: name,
        argument: "result",
        message: `${name}: ${String(value)}`,
      })
    case IMPORT_FAILED: {
      const remote = value as RemoteError
      return new BrokenWorkerError({
        task: name,
        reason: "import",
        message: `the worker could not import ${task.module}: ${remote.name}: ${remote.message}`,
        cause: remote,
      })
    }
    case NOT_FOUND:
      return new TaskNotFoundError({ task: name, message: String(value) })
    default:
      return new TaskError({
        task: name,
        name: "Error",
        message: `unknown status ${status}`,
        stack: undefined,
      })
  }
}

/** The state of one `map`: its calls, how far it got, its results. */
class MapSink {
  readonly results: Array<unknown>
  private readonly live: Array<Job | undefined>
  private next = 0
  private inflight = 0
  private done = 0
  finished = false

  constructor(
    private readonly pool: Pool,
    private readonly task: AnyTask,
    private readonly calls: ReadonlyArray<ReadonlyArray<unknown>>,
    private readonly limit: number,
    private readonly resume: Resume,
  ) {
    this.results = new Array(calls.length)
    this.live = new Array(calls.length)
  }

  pump(): void {
    if (this.calls.length === 0) return this.finish(Effect.succeed(this.results))
    while (!this.finished && this.next < this.calls.length && this.inflight < this.limit) {
      const args = this.calls[this.next]
      const bad = this.pool.check(this.task, args)
      if (bad !== undefined) return this.fail(bad)
      this.live[this.next] = this.pool.enqueue(this.task, args, undefined, this, this.next)
      this.next++
      this.inflight++
    }
  }

  settle(job: Job, ok: boolean, value: unknown): void {
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
    this.finish(error === INTERRUPTED ? Effect.interrupt : Effect.fail(error))
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
