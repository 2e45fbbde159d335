/**
 * The loop's timer queue: what runs `callSoon`, `callLater` and `callAt`
 * (`effect-asyncio/loop`), built like asyncio's: the deadlines in order
 * (deadline-heap.ts) and one FIFO of ready callbacks per loop, and one host
 * timer, armed for the earliest deadline. Internal to the loop; which queue a
 * fiber uses is decided in timer-queues.ts.
 *
 * - The deadline is fixed when the callback is scheduled; when the timer
 *   fires, every callback due by then runs in one batch, in deadline order
 *   and, for equal deadlines, in scheduling order, behind the `callSoon`
 *   callbacks already waiting (asyncio moves due timers to the end of its
 *   ready queue). Callbacks they schedule run in a later batch, as in asyncio.
 * - The host timer is a sleep on Effect's `Clock` (so `TestClock` drives it),
 *   in one fiber, re-armed only when an earlier deadline arrives; a deadline
 *   already past is run on the loop's next turn instead. Cancelling removes
 *   the callback from the deadlines; the last one disarms the timer.
 * - A plain function is called synchronously, with no fiber; an Effect is
 *   started synchronously, and its fiber is kept only if it suspends.
 * - A callback that throws or fails is reported to the loop's exception
 *   handler (`./exception-handler.ts`), and the batch goes on.
 * - {@link TimerQueue.close} (its scope's finalizer) drops every pending
 *   callback and interrupts the suspended ones.
 *
 * Times here are monotonic milliseconds of the fiber's `Clock`.
 *
 * @module
 */
import { Cause, Clock, Context, Duration, Effect, type Exit, Fiber, type Scheduler } from "effect"
import { isFailure } from "../internal/failure.ts"
import { DeadlineHeap } from "./deadline-heap.ts"
import { reportException } from "./exception-handler.ts"
import {
  type Callback,
  type CallbackOwner,
  DROPPED,
  PENDING,
  ScheduledCallback,
  STARTED,
} from "./scheduled-callback.ts"

/** The `Clock` a fiber gets when nobody provided one. */
const defaultClock: Clock.Clock = Context.get(Context.empty(), Clock.Clock)

/**
 * Monotonic milliseconds on `clock`: `performance.now()` for Effect's own
 * clock (the same time, without a BigInt per reading), the clock's
 * `monotonicTimeNanos` otherwise (a `TestClock`).
 */
export const monotonicMillis = (clock: Clock.Clock): number =>
  clock === defaultClock ? performance.now() : Number(clock.monotonicTimeNanosUnsafe()) / 1e6

/** Reports an Effect callback's failure (an interruption is not one). */
const reportFailure = (entry: ScheduledCallback, exit: Exit.Exit<unknown, unknown>): void => {
  if (isFailure(exit)) {
    reportException(entry.context, `Exception in callback ${entry.name}`, exit.cause)
  }
}

/** One loop's heap of deadlines, FIFO of ready callbacks, and host timer. */
export class TimerQueue implements CallbackOwner {
  /** The timed callbacks, by deadline (a heap and an ordered lane). */
  private readonly deadlines = new DeadlineHeap<ScheduledCallback>()
  private ready: Array<ScheduledCallback> = []
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
    return this.deadlines.size
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
  ): ScheduledCallback {
    const entry = new ScheduledCallback(this, deadline, this.seq++, callback, args, context)
    if (this.closed) {
      entry.state = DROPPED
      return entry
    }
    this.deadlines.push(entry)
    if (deadline < this.armedFor) this.arm(deadline)
    return entry
  }

  /** Schedules `callback` on the loop's next turn (`callSoon`). */
  soon(
    callback: Callback,
    args: ReadonlyArray<unknown>,
    context: Context.Context<never> = this.context,
  ): ScheduledCallback {
    const entry = new ScheduledCallback(this, NaN, this.seq++, callback, args, context)
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
  remove(entry: ScheduledCallback): void {
    // A `callSoon` entry is in neither (it is skipped when its turn comes), nor one already taken.
    if (entry.index === -1) return
    this.deadlines.remove(entry)
    if (this.deadlines.size === 0) this.disarm()
  }

  /** Drops every pending callback and interrupts those suspended (the scope's finalizer). */
  close(): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.closed = true
      this.disarm()
      for (const entry of this.deadlines.clear()) entry.state = DROPPED
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
    const due: Array<ScheduledCallback> = this.readySoon ? this.ready : []
    while (true) {
      const next = this.deadlines.peek()
      if (next === undefined || next.deadline > now) break
      this.deadlines.take(next)
      due.push(next)
    }
    if (!this.readySoon) {
      for (let i = 0; i < due.length; i++) {
        if (this.closed) break
        if (due[i].state === PENDING) this.run(due[i])
      }
    }
    const next = this.closed ? undefined : this.deadlines.peek()
    if (next !== undefined && next.deadline < this.armedFor) this.arm(next.deadline)
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

  private run(entry: ScheduledCallback): void {
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
}
