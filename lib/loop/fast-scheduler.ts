/**
 * `FastScheduler`: an Effect `Scheduler` that dispatches fiber tasks with
 * fewer trips through the host's event loop than Effect's default
 * `MixedScheduler`, without letting fibers starve timers and I/O.
 *
 * Where the default spends its time (effect 4.1, `effect/Scheduler`):
 * - every fiber gets its own dispatcher (`makeDispatcher` is called once per
 *   fiber), and each dispatcher with work pending books its own
 *   `setImmediate`. 1 000 fibers that `yieldNow` cost 1 000 host macrotasks
 *   per round; two fibers that wake each other cost one macrotask per wake.
 * - tasks go into priority buckets (an array of `[priority, tasks]` pairs,
 *   searched on every `scheduleTask`), drained once per macrotask.
 *
 * What this one does instead:
 * - one dispatcher per scheduler, shared by every fiber: a single FIFO ring
 *   buffer for priority 0 (the only priority Effect itself uses), a small
 *   sorted side queue for other priorities (lower runs first; a positive
 *   priority waits for the ring to empty, at most one slice);
 * - the queue is drained in place, tasks scheduled while draining run in the
 *   same pass, in chunks; between chunks it yields to the microtask queue
 *   (so promise callbacks are not held back), and after a time budget (one
 *   *slice*, 2 ms by default) it hops through one host macrotask
 *   (`setImmediate`, else `MessageChannel`, else `setTimeout(0)`), so ready
 *   timers and I/O callbacks run with bounded lateness however many fibers
 *   spin;
 * - the first drain after idle starts on a microtask, not a macrotask; a
 *   macrotask is still booked once per busy stretch, and the slice budget
 *   counts from the last time that macrotask ran, so a chain of microtasks
 *   (fibers awaiting already-resolved promises) cannot starve the host loop
 *   either.
 *
 * It changes fiber dispatch only: the runtime's own loop (tokio under Deno,
 * Bun's loop under Bun) still runs the timers, sockets and promise jobs.
 *
 * @example Run an effect with every fiber dispatched by a FastScheduler
 * ```ts
 * import { Effect, Scheduler } from "effect"
 * import { FastScheduler } from "./fast-scheduler.ts"
 * import assert from "node:assert/strict"
 *
 * const scheduler = new FastScheduler()
 * const squares = await Effect.runPromise(
 *   Effect.all([1, 2, 3].map((n) => Effect.as(Effect.yieldNow, n * n)), { concurrency: 3 }).pipe(
 *     Effect.provideService(Scheduler.Scheduler, scheduler),
 *   ),
 * )
 * assert.deepEqual(squares, [1, 4, 9])
 * assert.ok(scheduler.stats.tasks >= 3) // the yields went through it
 * ```
 *
 * @module
 */
import type { Fiber, Scheduler } from "effect"

type Task = () => void

/** Options for {@link FastScheduler}. */
export interface FastSchedulerOptions {
  /**
   * How long the scheduler may run fiber tasks before it lets the host loop
   * run timers and I/O, in milliseconds. Default 2.
   */
  readonly sliceMillis?: number
  /** Tasks run between two looks at the clock and the microtask queue. Default 64. */
  readonly chunk?: number
}

/** Counters a {@link FastScheduler} keeps (for tests, benches and `loopInfo`). */
export interface FastSchedulerStats {
  /** Tasks dispatched. */
  tasks: number
  /** Drains started on a microtask. */
  microtaskDrains: number
  /** Host macrotasks booked (slice ends and busy-stretch markers). */
  macrotasks: number
}

type MacrotaskFn = (f: () => void) => void

const macrotask: MacrotaskFn = (() => {
  const g = globalThis as {
    setImmediate?: (f: () => void) => unknown
    MessageChannel?: typeof MessageChannel
  }
  if (typeof g.setImmediate === "function") {
    const setImmediate = g.setImmediate
    return (f) => void setImmediate(f)
  }
  if (typeof g.MessageChannel === "function") {
    // One channel, one message per hop; the port is unref'd where possible.
    const channel = new g.MessageChannel()
    const queue: Array<() => void> = []
    channel.port1.onmessage = () => queue.shift()?.()
    ;(channel.port1 as { unref?: () => void }).unref?.()
    return (f) => {
      queue.push(f)
      channel.port2.postMessage(null)
    }
  }
  return (f) => void setTimeout(f, 0)
})()

const now: () => number = typeof performance !== "undefined"
  ? () => performance.now()
  : () => Date.now()

/** Tasks at a priority other than 0, kept sorted by priority (rarely used). */
interface Side {
  readonly priority: number
  readonly tasks: Array<Task>
}

class FastDispatcher implements Scheduler.SchedulerDispatcher {
  private ring: Array<Task | undefined> = new Array(1024)
  private mask = 1023
  private head = 0
  private size = 0
  private side: Array<Side> = []
  private sideSize = 0
  private running = false
  private microPending = false
  private macroPending = false
  /** When the current slice began (the last macrotask turn), or -1 if none is open. */
  private sliceStart = -1

  constructor(
    private readonly sliceMillis: number,
    private readonly chunk: number,
    readonly stats: FastSchedulerStats,
  ) {}

  scheduleTask(task: Task, priority: number): void {
    if (priority === 0) {
      if (this.size === this.ring.length) this.grow()
      this.ring[(this.head + this.size) & this.mask] = task
      this.size++
    } else {
      this.pushSide(task, priority)
    }
    if (this.running || this.microPending) return
    // A busy stretch starts: book the macrotask that ends its slice, and
    // drain on a microtask now unless the slice is already used up.
    if (!this.macroPending) this.bookMacrotask()
    if (this.sliceStart < 0) this.sliceStart = now()
    else if (now() - this.sliceStart >= this.sliceMillis) return
    this.microPending = true
    this.stats.microtaskDrains++
    queueMicrotask(this.onMicrotask)
  }

  flush(): void {
    while (this.size + this.sideSize > 0) this.runOne()
  }

  private grow() {
    const old = this.ring
    const ring = new Array<Task | undefined>(old.length * 2)
    for (let i = 0; i < this.size; i++) ring[i] = old[(this.head + i) & this.mask]
    this.ring = ring
    this.head = 0
    this.mask = ring.length - 1
  }

  private pushSide(task: Task, priority: number) {
    const side = this.side
    let i = 0
    while (i < side.length && side[i].priority < priority) i++
    if (i < side.length && side[i].priority === priority) side[i].tasks.push(task)
    else side.splice(i, 0, { priority, tasks: [task] })
    this.sideSize++
  }

  private takeSide(): Task {
    const first = this.side[0]
    const task = first.tasks.shift()!
    if (first.tasks.length === 0) this.side.shift()
    this.sideSize--
    return task
  }

  private runOne() {
    // Negative priorities go before the ring; positive ones when it is empty.
    if (this.sideSize > 0 && (this.size === 0 || this.side[0].priority < 0)) {
      this.takeSide()()
      return
    }
    const i = this.head
    const task = this.ring[i]!
    this.ring[i] = undefined
    this.head = (i + 1) & this.mask
    this.size--
    task()
  }

  private bookMacrotask() {
    this.macroPending = true
    this.stats.macrotasks++
    macrotask(this.onMacrotask)
  }

  private onMicrotask = () => {
    this.microPending = false
    if (!this.running) this.drain()
  }

  private onMacrotask = () => {
    this.macroPending = false
    // The host loop has had its turn: timers and I/O that were due have run.
    this.sliceStart = now()
    // Positive-priority tasks wait at most one slice.
    if (this.sideSize > 0 && !this.running) {
      while (this.sideSize > 0 && this.side[0].priority > 0) this.takeSide()()
    }
    if (!this.running) this.drain()
    if (this.size + this.sideSize === 0 && !this.macroPending) this.sliceStart = -1
  }

  private drain() {
    this.running = true
    const deadline = this.sliceStart + this.sliceMillis
    let more = false
    try {
      let n = 0
      while (this.size + this.sideSize > 0) {
        this.runOne()
        this.stats.tasks++
        if (++n === this.chunk) {
          more = this.size + this.sideSize > 0
          break
        }
      }
    } finally {
      this.running = false
      if (this.size + this.sideSize > 0) {
        if (more && now() < deadline) {
          // Let promise callbacks queued by this chunk run, then go on.
          this.microPending = true
          queueMicrotask(this.onMicrotask)
        } else if (!this.macroPending) {
          this.bookMacrotask()
        }
      }
    }
  }
}

/**
 * A `Scheduler` for Effect fibers with one shared FIFO queue, drained in
 * place within a time slice, that hops through the host's macrotask queue
 * once per slice. Provide it as `Scheduler.Scheduler` (or use `fastLoop`
 * from `effect-asyncio/loop`) and every fiber forked under it uses it.
 */
export class FastScheduler implements Scheduler.Scheduler {
  readonly executionMode = "async" as const
  readonly stats: FastSchedulerStats = { tasks: 0, microtaskDrains: 0, macrotasks: 0 }
  readonly sliceMillis: number
  readonly chunk: number
  private readonly dispatcher: FastDispatcher

  constructor(options: FastSchedulerOptions = {}) {
    this.sliceMillis = options.sliceMillis ?? 2
    this.chunk = options.chunk ?? 64
    this.dispatcher = new FastDispatcher(this.sliceMillis, this.chunk, this.stats)
  }

  /** Same rule as the default: yield after `MaxOpsBeforeYield` operations in one run. */
  shouldYield(fiber: Fiber.Fiber<unknown, unknown>): boolean {
    return fiber.currentOpCount >= fiber.cache.maxOpsBeforeYield
  }

  /** The one shared dispatcher: every fiber's tasks go into the same queue. */
  makeDispatcher(): Scheduler.SchedulerDispatcher {
    return this.dispatcher
  }
}
