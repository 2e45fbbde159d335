/**
 * One scheduled callback, as the loop's timer queue holds it: asyncio's
 * `TimerHandle` (or `Handle`, for `callSoon`), with its deadline, its
 * arguments and the context it runs in. Internal to the loop.
 *
 * @module
 */
import { type Context, Effect } from "effect"

/** What the loop can call back: an Effect, or a plain function and its arguments. */
export type Callback =
  | Effect.Effect<unknown, unknown, never>
  // deno-lint-ignore no-explicit-any
  | ((...args: Array<any>) => unknown)

/** Waiting for its time. */
export const PENDING = 0
/** Called (or started). */
export const STARTED = 1
/** Cancelled before it started, or dropped with its queue. */
export const DROPPED = 2

/** What a callback's queue does when it is cancelled. */
export interface CallbackOwner {
  /** Takes a cancelled callback out. */
  remove(entry: ScheduledCallback): void
}

/** One scheduled callback: asyncio's `TimerHandle` (or `Handle`, for `callSoon`). */
export class ScheduledCallback {
  /** Position in the heap, -1 when not in it. */
  index = -1
  state = PENDING
  private cancelledFlag = false
  constructor(
    private readonly queue: CallbackOwner,
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
