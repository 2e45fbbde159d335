/**
 * The loop's timer queue: what runs `callSoon`, `callLater` and `callAt`
 * (`effect-asyncio/loop`), built like asyncio's: one binary heap of
 * deadlines and one FIFO of ready callbacks per loop, and one host timer,
 * armed for the earliest deadline.
 *
 * - The deadline is fixed when the callback is scheduled; when the timer
 *   fires, every callback due by then runs in one batch, in deadline order
 *   and, for equal deadlines, in scheduling order, behind the `callSoon`
 *   callbacks already waiting (asyncio moves due timers to the end of its
 *   ready queue). Callbacks they schedule run in a later batch, as in asyncio.
 * - The host timer is a sleep on Effect's `Clock` (so `TestClock` drives it),
 *   in one fiber, re-armed only when an earlier deadline arrives; a deadline
 *   already past is run on the loop's next turn instead. Cancelling removes
 *   the callback from the heap in O(log n); the last one disarms the timer.
 * - Timers scheduled in deadline order (each due no earlier than the last,
 *   the common case) skip the heap: they go to an ordered lane in O(1), and
 *   the earliest callback is the smaller of the two heads.
 * - A plain function is called synchronously, with no fiber; an Effect is
 *   started synchronously, and its fiber is kept only if it suspends.
 * - A callback that throws or fails is reported to the loop's exception
 *   handler (`./exception-handler.ts`), and the batch goes on.
 * - The queue belongs to a `Scope` (the program's, under `run`): one
 *   finalizer drops every pending callback and interrupts the suspended ones.
 *
 * Times here are monotonic milliseconds of the fiber's `Clock`.
 *
 * @example A queue is made per scope and runs what is due
 * ```ts
 * import { Effect } from "effect"
 * import { timerQueue } from "./timer-queue.ts"
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
import { Cause, Clock, Context, Duration, Effect, type Exit, Fiber, Scheduler, Scope } from "effect"
import { reportException } from "./exception-handler.ts"
import { isFailure } from "../internal/failure.ts"

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

/** The `Clock` a fiber gets when nobody provided one. */
const defaultClock: Clock.Clock = Context.get(Context.empty(), Clock.Clock)

/**
 * Monotonic milliseconds on `clock`: `performance.now()` for Effect's own
 * clock (the same time, without a BigInt per reading), the clock's
 * `monotonicTimeNanos` otherwise (a `TestClock`).
 */
export const monotonicMillis = (clock: Clock.Clock): number =>
  clock === defaultClock ? performance.now() : Number(clock.monotonicTimeNanosUnsafe()) / 1e6

const before = (a: Entry, b: Entry) =>
  a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq)

/** `Entry.index` of an entry in the ordered lane rather than the heap. */
const IN_LANE = -2

/** Reports an Effect callback's failure (an interruption is not one). */
const reportFailure = (entry: Entry, exit: Exit.Exit<unknown, unknown>): void => {
  if (isFailure(exit)) {
    reportException(entry.context, `Exception in callback ${entry.name}`, exit.cause)
  }
}

/** One loop's heap of deadlines, FIFO of ready callbacks, and host timer. */
export class TimerQueue {
  /** Binary min-heap on (deadline, seq). */
  private readonly heap: Array<Entry> = []
  /**
   * The fast lane: entries scheduled in deadline order (the common case:
   * each new timer due no earlier than the last) are appended here in O(1)
   * instead of the heap; the earliest is the smaller of both heads.
   */
  private lane: Array<Entry> = []
  private laneHead = 0
  /** Pending entries in heap and lane (cancelled lane entries leave lazily). */
  private count = 0
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

  /** The queue's clock: monotonic milliseconds (see {@link monotonicMillis}). */
  now(): number {
    return monotonicMillis(this.clock)
  }

  /** How many timed callbacks are pending (not counting `callSoon`'s). */
  get size(): number {
    return this.count
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
    this.count++
    const lane = this.lane
    if (lane.length === this.laneHead || deadline >= lane[lane.length - 1].deadline) {
      entry.index = IN_LANE
      lane.push(entry)
    } else {
      entry.index = this.heap.length
      this.heap.push(entry)
      this.up(entry.index)
    }
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

  /**
   * Takes a cancelled entry out (O(log n) from the heap, O(1) from the lane,
   * where it is skipped later); the last one disarms the host timer.
   */
  remove(entry: Entry): void {
    const i = entry.index
    if (i === -1) return // a `callSoon` entry (skipped when its turn comes), or already taken
    this.count--
    if (i >= 0) {
      const last = this.heap.pop()!
      if (last !== entry) {
        this.heap[i] = last
        last.index = i
        this.up(i)
        this.down(last.index)
      }
    }
    entry.index = -1
    if (this.count === 0) {
      this.lane = []
      this.laneHead = 0
      this.disarm()
    }
  }

  /** Drops every pending callback and interrupts those suspended (the scope's finalizer). */
  close(): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.closed = true
      this.disarm()
      for (const entry of [...this.heap, ...this.lane.slice(this.laneHead)]) {
        entry.state = DROPPED
        entry.index = -1
      }
      this.heap.length = 0
      this.lane = []
      this.laneHead = 0
      this.count = 0
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

  /**
   * Runs every callback due now, in one batch, then re-arms for the next
   * deadline. As in asyncio, callbacks that fall due join the ready queue
   * behind those already in it (`callSoon`'s): if a ready batch is pending,
   * they run at its end; otherwise now.
   */
  private fire(): void {
    const now = this.now()
    const due: Array<Entry> = this.readySoon ? this.ready : []
    while (true) {
      const next = this.peek()
      if (next === undefined || next.deadline > now) break
      this.take(next)
      due.push(next)
    }
    if (!this.readySoon) {
      for (let i = 0; i < due.length; i++) {
        if (this.closed) break
        if (due[i].state === PENDING) this.run(due[i])
      }
    }
    const next = this.closed ? undefined : this.peek()
    if (next !== undefined && next.deadline < this.armedFor) this.arm(next.deadline)
  }

  /** The earliest pending entry: the smaller of the heap's top and the lane's head. */
  private peek(): Entry | undefined {
    const lane = this.lane
    while (this.laneHead < lane.length && lane[this.laneHead].state === DROPPED) this.laneHead++
    const fromLane = this.laneHead < lane.length ? lane[this.laneHead] : undefined
    const fromHeap = this.heap.length > 0 ? this.heap[0] : undefined
    if (fromLane === undefined) return fromHeap
    if (fromHeap === undefined) return fromLane
    return before(fromHeap, fromLane) ? fromHeap : fromLane
  }

  /** Takes `entry`, the result of `peek`, out of its structure. */
  private take(entry: Entry): void {
    this.count--
    if (entry.index === IN_LANE) {
      this.laneHead++
      if (this.laneHead === this.lane.length) {
        this.lane = []
        this.laneHead = 0
      } else if (this.laneHead > 4096 && this.laneHead * 2 > this.lane.length) {
        this.lane = this.lane.slice(this.laneHead)
        this.laneHead = 0
      }
    } else {
      const heap = this.heap
      const last = heap.pop()!
      if (last !== entry) {
        heap[0] = last
        last.index = 0
        this.down(0)
      }
    }
    entry.index = -1
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
    if (exit !== undefined) return reportFailure(entry, exit)
    this.suspended.add(fiber)
    fiber.addObserver((exit) => {
      this.suspended.delete(fiber)
      reportFailure(entry, exit)
    })
  }

  // --- the heap ---------------------------------------------------------------

  private up(i: number): void {
    const heap = this.heap
    const entry = heap[i]
    const deadline = entry.deadline
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent]
      if (p.deadline < deadline || (p.deadline === deadline && p.seq < entry.seq)) break
      heap[i] = p
      p.index = i
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

/** The timer queue `fiber` would use, if it exists already (the fast path of {@link timerQueue}). */
export const existingTimerQueue = (
  fiber: Fiber.Fiber<unknown, unknown>,
): TimerQueue | undefined => {
  // A fiber scheduling many callbacks asks with the same context each time.
  if (fiber.context === lastContext) return lastQueue
  const queue = findQueue(fiber)
  if (queue !== undefined) {
    lastContext = fiber.context
    lastQueue = queue
  }
  return queue
}

let lastContext: Context.Context<never> | undefined = undefined
let lastQueue: TimerQueue | undefined = undefined

const findQueue = (fiber: Fiber.Fiber<unknown, unknown>): TimerQueue | undefined => {
  const scope = Context.getOrUndefined(fiber.context as Context.Context<Scope.Scope>, Scope.Scope)
  const list = scope === undefined ? undefined : queues.get(scope)
  if (list === undefined) return undefined
  const clock = fiber.getRef(Clock.Clock)
  const scheduler = fiber.getRef(Scheduler.Scheduler)
  for (let i = 0; i < list.length; i++) {
    if (list[i].clock === clock && list[i].scheduler === scheduler) return list[i]
  }
  return undefined
}

/**
 * The timer queue of the current scope, for the current `Clock` and
 * scheduler; made (with one finalizer on the scope) on first use.
 */
export const timerQueue: Effect.Effect<TimerQueue, never, Scope.Scope> = Effect.withFiber(
  (fiber) => {
    const existing = existingTimerQueue(fiber)
    if (existing !== undefined) return Effect.succeed(existing)
    const context = fiber.context
    const scope = Context.get(context as Context.Context<Scope.Scope>, Scope.Scope)
    const queue = new TimerQueue(
      fiber.getRef(Clock.Clock),
      fiber.getRef(Scheduler.Scheduler),
      context,
    )
    const list = queues.get(scope) ?? []
    list.push(queue)
    queues.set(scope, list)
    return Effect.as(
      Scope.addFinalizer(
        scope,
        Effect.suspend(() => {
          list.splice(list.indexOf(queue), 1)
          if (lastQueue === queue) lastContext = lastQueue = undefined
          return queue.close()
        }),
      ),
      queue,
    )
  },
)
