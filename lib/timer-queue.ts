/**
 * The loop's timer queue: what runs `callSoon`, `callLater` and `callAt`
 * (`effect-asyncio/loop`), built like asyncio's: one binary heap of
 * deadlines and one FIFO of ready callbacks per loop, and one host timer,
 * armed for the earliest deadline.
 *
 * - The deadline is fixed when the callback is scheduled; when the timer
 *   fires, every callback due by then runs in one batch, in deadline order
 *   and, for equal deadlines, in scheduling order. Callbacks they schedule
 *   run in a later batch, as in asyncio.
 * - The host timer is a sleep on Effect's `Clock` (so `TestClock` drives it),
 *   in one fiber, re-armed only when an earlier deadline arrives; a deadline
 *   already past is run on the loop's next turn instead. Cancelling removes
 *   the callback from the heap in O(log n); the last one disarms the timer.
 * - A plain function is called synchronously, with no fiber; an Effect is
 *   started synchronously, and its fiber is kept only if it suspends.
 * - A callback that throws or fails is reported to the loop's exception
 *   handler (`effect-asyncio/exception-handler`), and the batch goes on.
 * - The queue belongs to a `Scope` (the program's, under `run`): one
 *   finalizer drops every pending callback and interrupts the suspended ones.
 *
 * Times here are milliseconds of `Clock.monotonicTimeNanos`.
 *
 * @example A queue is made per scope and runs what is due
 * ```ts
 * import { Effect } from "effect"
 * import { timerQueue } from "effect-asyncio/timer-queue"
 * import assert from "node:assert/strict"
 *
 * const seen: Array<string> = []
 * await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   const queue = yield* timerQueue
 *   const now = queue.now()
 *   queue.schedule(now + 2, () => seen.push("second"), [])
 *   queue.schedule(now + 1, () => seen.push("first"), [])
 *   yield* Effect.sleep("10 millis")
 * })))
 * assert.deepEqual(seen, ["first", "second"])
 * ```
 *
 * @module
 */
import { Cause, Clock, Context, Duration, Effect, Fiber, Scheduler, Scope } from "effect"
import { reportException } from "./exception-handler.ts"

/** What the loop can call back: an Effect, or a plain function and its arguments. */
export type Callback =
  | Effect.Effect<unknown, unknown, never>
  // deno-lint-ignore no-explicit-any
  | ((...args: Array<any>) => unknown)

const PENDING = 0
const STARTED = 1
const DROPPED = 2

/** One scheduled callback: asyncio's `TimerHandle` (or `Handle`, for `callSoon`). */
export class Entry {
  /** Position in the heap, -1 when not in it. */
  index = -1
  state = PENDING
  private cancelledFlag = false
  constructor(
    private readonly queue: TimerQueue,
    /** Deadline in queue milliseconds (NaN for `callSoon`). */
    readonly deadline: number,
    readonly seq: number,
    readonly callback: Callback,
    readonly args: ReadonlyArray<unknown>,
    /** The scheduling fiber's context: an Effect runs in it, failures go to its handler. */
    readonly context: Context.Context<never>,
  ) {}

  /** When the callback is due, in seconds of the loop's `time` clock. */
  get when(): number {
    return this.deadline / 1000
  }

  /** Cancels the callback if it has not started; either way `cancelled()` is then true. */
  cancelUnsafe(): void {
    this.cancelledFlag = true
    if (this.state === PENDING) {
      this.state = DROPPED
      this.queue.remove(this)
    }
  }

  /** Cancels the callback if it has not started (asyncio's `Handle.cancel`). */
  get cancel(): Effect.Effect<void> {
    return Effect.sync(() => this.cancelUnsafe())
  }

  /** Whether `cancel` was called, as in asyncio (also after the callback ran). */
  cancelled(): boolean {
    return this.cancelledFlag
  }

  /** The callback's name for reports: a function's name, or "<effect>". */
  get name(): string {
    return typeof this.callback === "function" ? this.callback.name || "<anonymous>" : "<effect>"
  }
}

const before = (a: Entry, b: Entry) =>
  a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq)

/** One loop's heap of deadlines, FIFO of ready callbacks, and host timer. */
export class TimerQueue {
  private readonly heap: Array<Entry> = []
  private ready: Array<Entry> = []
  private readySoon = false
  private seq = 0
  /** The deadline the host timer is armed for (Infinity: not armed). */
  private armedFor = Infinity
  private armer: Fiber.Fiber<void> | undefined = undefined
  /** Bumped to forget an armed timer (a turn task cannot be taken back). */
  private generation = 0
  private readonly suspended = new Set<Fiber.Fiber<unknown, unknown>>()
  private closed = false
  private readonly dispatcher: Scheduler.SchedulerDispatcher

  constructor(
    readonly clock: Clock.Clock,
    readonly scheduler: Scheduler.Scheduler,
    /** The context the host timer's fiber runs in (its `Clock`, its scheduler). */
    private readonly context: Context.Context<never>,
  ) {
    this.dispatcher = scheduler.makeDispatcher()
  }

  /** The queue's clock: monotonic milliseconds. */
  now(): number {
    return Number(this.clock.monotonicTimeNanosUnsafe()) / 1e6
  }

  /** How many callbacks wait in the heap (not counting `callSoon`'s). */
  get size(): number {
    return this.heap.length
  }

  /** Whether a host timer is armed (false once nothing is scheduled). */
  get armed(): boolean {
    return this.armedFor !== Infinity
  }

  /** Schedules `callback` at `deadline` (queue milliseconds). */
  schedule(
    deadline: number,
    callback: Callback,
    args: ReadonlyArray<unknown>,
    context: Context.Context<never> = this.context,
  ): Entry {
    const entry = new Entry(this, deadline, this.seq++, callback, args, context)
    if (this.closed) {
      entry.state = DROPPED
      return entry
    }
    entry.index = this.heap.length
    this.heap.push(entry)
    this.up(entry.index)
    if (deadline < this.armedFor) this.arm(deadline)
    return entry
  }

  /** Schedules `callback` on the loop's next turn (`callSoon`). */
  soon(
    callback: Callback,
    args: ReadonlyArray<unknown>,
    context: Context.Context<never> = this.context,
  ): Entry {
    const entry = new Entry(this, NaN, this.seq++, callback, args, context)
    if (this.closed) {
      entry.state = DROPPED
      return entry
    }
    this.ready.push(entry)
    if (!this.readySoon) {
      this.readySoon = true
      this.dispatcher.scheduleTask(() => this.runReady(), 0)
    }
    return entry
  }

  /** Takes a cancelled entry out of the heap (O(log n)); the last one disarms the timer. */
  remove(entry: Entry): void {
    const i = entry.index
    if (i < 0) return // a `callSoon` entry: skipped when its turn comes
    const last = this.heap.pop()!
    entry.index = -1
    if (last !== entry) {
      this.heap[i] = last
      last.index = i
      this.up(i)
      this.down(last.index)
    }
    if (this.heap.length === 0) this.disarm()
  }

  /** Drops every pending callback and interrupts those suspended (the scope's finalizer). */
  close(): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.closed = true
      this.disarm()
      for (const entry of this.heap) {
        entry.state = DROPPED
        entry.index = -1
      }
      this.heap.length = 0
      this.ready = []
      return this.suspended.size === 0 ? Effect.void : Fiber.interruptAll([...this.suspended])
    })
  }

  // --- the host timer ---------------------------------------------------------

  private arm(deadline: number): void {
    this.disarm()
    this.armedFor = deadline
    const generation = this.generation
    const fire = () => {
      if (generation !== this.generation) return
      this.armer = undefined
      this.armedFor = Infinity
      this.fire()
    }
    const delay = deadline - this.now()
    if (delay <= 0) {
      this.dispatcher.scheduleTask(fire, 0)
      return
    }
    const fiber = Effect.runForkWith(this.context)(
      Effect.andThen(this.clock.sleep(Duration.millis(delay)), Effect.sync(fire)),
    )
    if (fiber.pollUnsafe() === undefined) this.armer = fiber
  }

  private disarm(): void {
    this.generation++
    this.armedFor = Infinity
    const armer = this.armer
    this.armer = undefined
    armer?.interruptUnsafe()
  }

  /** Runs every callback due now, in one batch, then re-arms for the next deadline. */
  private fire(): void {
    const now = this.now()
    const heap = this.heap
    const due: Array<Entry> = []
    while (heap.length > 0 && heap[0].deadline <= now) due.push(this.pop())
    for (let i = 0; i < due.length; i++) {
      if (this.closed) break
      if (due[i].state === PENDING) this.run(due[i])
    }
    if (!this.closed && heap.length > 0 && heap[0].deadline < this.armedFor) {
      this.arm(heap[0].deadline)
    }
  }

  private runReady(): void {
    this.readySoon = false
    const ready = this.ready
    this.ready = []
    for (let i = 0; i < ready.length; i++) {
      if (this.closed) break
      if (ready[i].state === PENDING) this.run(ready[i])
    }
  }

  private run(entry: Entry): void {
    entry.state = STARTED
    const callback = entry.callback
    if (typeof callback === "function") {
      try {
        callback(...entry.args)
      } catch (error) {
        reportException(entry.context, `Exception in callback ${entry.name}`, Cause.die(error))
      }
      return
    }
    const fiber = Effect.runForkWith(entry.context)(callback)
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) {
      if (exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause)) {
        reportException(entry.context, `Exception in callback ${entry.name}`, exit.cause)
      }
      return
    }
    this.suspended.add(fiber)
    fiber.addObserver((exit) => {
      this.suspended.delete(fiber)
      if (exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause)) {
        reportException(entry.context, `Exception in callback ${entry.name}`, exit.cause)
      }
    })
  }

  // --- the heap ---------------------------------------------------------------

  private pop(): Entry {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()!
    top.index = -1
    if (last !== top) {
      heap[0] = last
      last.index = 0
      this.down(0)
    }
    return top
  }

  private up(i: number): void {
    const heap = this.heap
    const entry = heap[i]
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(entry, heap[parent])) break
      heap[i] = heap[parent]
      heap[i].index = i
      i = parent
    }
    heap[i] = entry
    entry.index = i
  }

  private down(i: number): void {
    const heap = this.heap
    const n = heap.length
    const entry = heap[i]
    while (true) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && before(heap[right], heap[left]) ? right : left
      if (!before(heap[child], entry)) break
      heap[i] = heap[child]
      heap[i].index = i
      i = child
    }
    heap[i] = entry
    entry.index = i
  }
}

const queues = new WeakMap<Scope.Scope, Array<TimerQueue>>()

/**
 * The timer queue of the current scope, for the current `Clock` and
 * scheduler; made (with one finalizer on the scope) on first use.
 */
export const timerQueue: Effect.Effect<TimerQueue, never, Scope.Scope> = Effect.withFiber(
  (fiber) => {
    const context = fiber.context
    const scope = Context.get(context as Context.Context<Scope.Scope>, Scope.Scope)
    const clock = fiber.getRef(Clock.Clock)
    const scheduler = fiber.getRef(Scheduler.Scheduler)
    const existing = queues.get(scope)
    if (existing !== undefined) {
      for (const queue of existing) {
        if (queue.clock === clock && queue.scheduler === scheduler) return Effect.succeed(queue)
      }
    }
    const queue = new TimerQueue(clock, scheduler, context)
    const list = existing ?? []
    list.push(queue)
    queues.set(scope, list)
    return Effect.as(
      Scope.addFinalizer(
        scope,
        Effect.suspend(() => {
          list.splice(list.indexOf(queue), 1)
          return queue.close()
        }),
      ),
      queue,
    )
  },
)
