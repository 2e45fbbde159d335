/**
 * The event loop, asyncio-shaped: which loop dispatches the fibers
 * (`defaultLoop`, `fastLoop`, `withLoop`, `loopLayer`, `loopInfo`), and the
 * loop's callbacks (`callSoon`, `callLater`, `callAt`, `time`).
 *
 * **Swapping the loop.** In asyncio the loop is a replaceable part: uvloop
 * swaps it for one program (`set_event_loop(uvloop.new_event_loop())`) or for
 * every loop the program makes (`set_event_loop_policy(...)`). In Effect the
 * replaceable part is the `Scheduler` that dispatches fiber tasks (a
 * `Context.Reference`, read by every fiber and inherited by every fiber it
 * forks). A {@link Loop} names one: {@link defaultLoop} is Effect's
 * `MixedScheduler`, {@link fastLoop} is this library's `FastScheduler`
 * (`lib/loop/fast-scheduler.ts`). {@link withLoop} swaps it for a region (the
 * `set_event_loop` analog; `run(main, { loop })` does it for a program),
 * {@link loopLayer} is the Layer for a whole program or `ManagedRuntime` (the
 * policy analog). What it does not swap: the runtime's own I/O loop (tokio
 * under Deno, Bun's loop under Bun), which still runs timers, sockets and
 * promise jobs; {@link loopInfo} reports both.
 *
 * **Callbacks.** In asyncio `call_soon`/`call_later`/`call_at` are methods of
 * the loop; here they are effects that put the callback in the timer queue
 * of the caller's `Scope` (`lib/loop/timer-queue.ts`: one heap of
 * deadlines and one host timer; the program's scope under `run`), so a
 * callback that has not run yet is dropped when that scope closes. The
 * callback is a plain function with its arguments (called with no fiber, as
 * asyncio calls it), or an Effect (started at once, kept as a fiber only if
 * it suspends). The deadline is fixed at the call. A callback that throws or
 * fails goes to the loop's exception handler (`withExceptionHandler`).
 * Time is Effect's `Clock`, so `TestClock` drives them in tests; {@link time}
 * is monotonic seconds, like `loop.time()`.
 *
 * @example Swap the loop for a region and ask which one runs
 * ```ts
 * import { Effect } from "effect"
 * import { defaultLoop, fastLoop, loopInfo, withLoop } from "effect-asyncio/loop"
 * import assert from "node:assert/strict"
 *
 * const names = await Effect.runPromise(Effect.gen(function* () {
 *   const outside = yield* loopInfo()
 *   const inside = yield* withLoop(fastLoop)(loopInfo())
 *   return [outside.loop, inside.loop]
 * }))
 * assert.deepEqual(names, [defaultLoop.name, fastLoop.name])
 * ```
 *
 * @example Schedule, cancel, and let the rest run
 * ```ts
 * import { Effect } from "effect"
 * import { callLater, callSoon } from "effect-asyncio/loop"
 * import assert from "node:assert/strict"
 *
 * const seen: Array<string> = []
 * const note = (s: string) => seen.push(s)
 * await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   yield* callLater("20 millis", note, "later") // a plain function and its argument
 *   const dropped = yield* callLater("10 millis", Effect.sync(() => note("cancelled")))
 *   yield* callSoon(note, "soon")
 *   yield* dropped.cancel
 *   assert.equal(dropped.cancelled(), true)
 *   yield* Effect.sleep("30 millis")
 * })))
 * assert.deepEqual(seen, ["soon", "later"])
 * ```
 *
 * @module
 */
import { Cause, Clock, type Duration, Effect, Layer, Scheduler, type Scope } from "effect"
import { capturesAsyncContext } from "./internal/async-context.ts"
import { runtime } from "./internal/runtime.ts"
import { FastScheduler, type FastSchedulerOptions } from "./loop/fast-scheduler.ts"
import {
  type Callback,
  existingTimerQueue,
  monotonicMillis,
  timerQueue,
} from "./loop/timer-queue.ts"
import { type Delay, millisOf } from "./internal/millis.ts"

export type { Delay } from "./internal/millis.ts"

export {
  defaultExceptionHandler,
  type ExceptionContext,
  ExceptionHandler,
  exceptionHandlerLayer,
  getExceptionHandler,
  withExceptionHandler,
} from "./loop/exception-handler.ts"
export type {
  FastScheduler,
  FastSchedulerOptions,
  FastSchedulerStats,
} from "./loop/fast-scheduler.ts"

// ---------------------------------------------------------------------------
// Loops
// ---------------------------------------------------------------------------

/** A named scheduler configuration: the part of the loop that dispatches fibers. */
export interface Loop<S extends Scheduler.Scheduler = Scheduler.Scheduler> {
  readonly name: string
  /** What dispatches the fibers, in a few words (printed by `loopInfo`). */
  readonly description: string
  readonly scheduler: S
  /** `Scheduler.MaxOpsBeforeYield` under this loop; Effect's default (2048) when absent. */
  readonly maxOpsBeforeYield?: number
}

const known = new WeakMap<Scheduler.Scheduler, Loop>()

/** Names a scheduler as a {@link Loop} (`loopInfo` then reports it by name). */
export const makeLoop = <S extends Scheduler.Scheduler>(loop: Loop<S>): Loop<S> => {
  known.set(loop.scheduler, loop)
  return loop
}

/** Effect's own scheduler, `MixedScheduler`: what every program runs on unless told otherwise. */
export const defaultLoop: Loop<Scheduler.MixedScheduler> = makeLoop({
  name: "defaultLoop",
  description: "Effect MixedScheduler (one dispatcher and one setImmediate per fiber)",
  scheduler: new Scheduler.MixedScheduler(),
})

/** A new loop on a `FastScheduler` of its own (its `stats` count only its fibers' tasks). */
export const makeFastLoop = (
  options?: FastSchedulerOptions & { readonly name?: string },
): Loop<FastScheduler> => {
  const scheduler = new FastScheduler(options)
  return makeLoop({
    name: options?.name ?? "fastLoop",
    description:
      `effect-asyncio FastScheduler (one shared FIFO ring, ${scheduler.sliceMillis} ms slices)`,
    scheduler,
  })
}

/** This library's faster scheduler, `FastScheduler` (`lib/loop/fast-scheduler.ts`). */
export const fastLoop: Loop<FastScheduler> = makeFastLoop()

const provideLoop = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  loop: Loop,
): Effect.Effect<A, E, R> => {
  const withScheduler = Effect.provideService(effect, Scheduler.Scheduler, loop.scheduler)
  return loop.maxOpsBeforeYield === undefined
    ? withScheduler
    : Effect.provideService(withScheduler, Scheduler.MaxOpsBeforeYield, loop.maxOpsBeforeYield)
}

/**
 * Runs `effect` on `loop`: its fibers, and every fiber they fork, are
 * dispatched by the loop's scheduler (`asyncio.set_event_loop` for a region).
 */
export const withLoop =
  (loop: Loop) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    provideLoop(effect, loop)

/**
 * The loop as a Layer, for a whole program or a `ManagedRuntime`
 * (`asyncio.set_event_loop_policy`): everything run with it, and every fiber
 * forked from there, uses the loop.
 */
export const loopLayer = (loop: Loop): Layer.Layer<never> => {
  const scheduler = Layer.succeed(Scheduler.Scheduler, loop.scheduler)
  return loop.maxOpsBeforeYield === undefined
    ? scheduler
    : Layer.merge(scheduler, Layer.succeed(Scheduler.MaxOpsBeforeYield, loop.maxOpsBeforeYield))
}

/** The loop dispatching the current fiber (a scheduler nobody named is reported as "custom"). */
const currentLoop: Effect.Effect<Loop> = Effect.map(
  Effect.service(Scheduler.Scheduler),
  (scheduler) =>
    known.get(scheduler) ??
      (scheduler instanceof Scheduler.MixedScheduler
        ? { ...defaultLoop, scheduler }
        : { name: "custom", description: scheduler.constructor.name, scheduler }),
)

/** What {@link loopInfo} reports. */
export interface LoopInfo {
  /** The loop dispatching this fiber (`defaultLoop`, `fastLoop`, …). */
  readonly loop: string
  readonly scheduler: string
  readonly maxOpsBeforeYield: number
  /** The JavaScript runtime, `deno` or `bun`, and its version. */
  readonly runtime: string
  readonly runtimeVersion: string
  /** The runtime's own event loop, which runs timers and I/O under any scheduler. */
  readonly hostLoop: string
  /** Whether fibers capture the async context at each suspension (off: `effect-asyncio/no-async-context`). */
  readonly capturesAsyncContext: boolean
}

/** Which loop runs the current fiber, and which JavaScript runtime and host loop run it. */
export const loopInfo = (): Effect.Effect<LoopInfo> =>
  Effect.gen(function* () {
    const loop = yield* currentLoop
    return {
      loop: loop.name,
      scheduler: loop.description,
      maxOpsBeforeYield: yield* Effect.service(Scheduler.MaxOpsBeforeYield),
      runtime: runtime.name,
      runtimeVersion: runtime.version,
      hostLoop: runtime.hostLoop,
      capturesAsyncContext: capturesAsyncContext(),
    }
  })

// ---------------------------------------------------------------------------
// callSoon / callLater / callAt
// ---------------------------------------------------------------------------

/** A scheduled callback, like asyncio's `Handle`. */
export interface Handle {
  /**
   * Cancels the callback if it has not started; a callback that has started
   * or finished is left alone (asyncio's `cancel` has no effect then).
   */
  readonly cancel: Effect.Effect<void>
  /** Whether `cancel` was called, before or after the callback ran (as in asyncio). */
  cancelled(): boolean
}

/** A callback scheduled at a time, like asyncio's `TimerHandle`. */
export interface TimerHandle extends Handle {
  /** When the callback is due, in seconds of the loop's clock (see {@link time}). */
  readonly when: number
}

/**
 * The loop's clock, like `loop.time()`: monotonic seconds on Effect's
 * `Clock` (so `TestClock` moves it). `callAt` and a handle's `when` use it.
 */
export const time: Effect.Effect<number> = Clock.clockWith((clock) =>
  Effect.sync(() => monotonicMillis(clock) / 1000)
)

// deno-lint-ignore no-explicit-any
type Fn<Args extends ReadonlyArray<any>> = (...args: Args) => unknown

/** The error for a NaN or non-number time (a defect from the effects, thrown by the sync loop). */
const badTime = (what: string, value: unknown) =>
  new Cause.IllegalArgumentError(`${what} must be a number, got ${String(value)}`)

/**
 * Runs `callback` on the loop's next turn, like `loop.call_soon`: after the
 * caller yields, in the order the callbacks were scheduled. A plain function
 * is called with `args` (no fiber); an Effect is started then, and forked
 * into the current scope only if it suspends.
 */
export function callSoon<E, R>(
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<Handle, never, R | Scope.Scope>
// deno-lint-ignore no-explicit-any
export function callSoon<Args extends ReadonlyArray<any>>(
  callback: Fn<Args>,
  ...args: Args
): Effect.Effect<Handle, never, Scope.Scope>
export function callSoon(
  // deno-lint-ignore no-explicit-any
  callback: Effect.Effect<unknown, unknown, any> | Fn<ReadonlyArray<unknown>>,
  ...args: ReadonlyArray<unknown>
  // deno-lint-ignore no-explicit-any
): Effect.Effect<Handle, never, any> {
  return Effect.withFiber((fiber) => {
    const queue = existingTimerQueue(fiber)
    return queue !== undefined
      ? Effect.succeed(queue.soon(callback as Callback, args, fiber.context))
      : Effect.map(timerQueue, (queue) => queue.soon(callback as Callback, args, fiber.context))
  })
}

/**
 * Runs `callback` after `delay`, like `loop.call_later`; the deadline is
 * fixed at the call. Callbacks due at the same time run in the order they
 * were scheduled. A negative delay means "as soon as possible"; NaN is a
 * defect (`IllegalArgumentError`). The delay is a `Duration` input, not a
 * bare number, which does not compile (asyncio's delay is in seconds,
 * Effect's number is milliseconds: write `"500 millis"` or
 * `Duration.seconds(0.5)`; see {@link Delay}).
 */
export function callLater<E, R, const D extends Duration.Input>(
  delay: Delay<D>,
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<TimerHandle, never, R | Scope.Scope>
// deno-lint-ignore no-explicit-any
export function callLater<Args extends ReadonlyArray<any>, const D extends Duration.Input>(
  delay: Delay<D>,
  callback: Fn<Args>,
  ...args: Args
): Effect.Effect<TimerHandle, never, Scope.Scope>
export function callLater(
  delay: Duration.Input,
  // deno-lint-ignore no-explicit-any
  callback: Effect.Effect<unknown, unknown, any> | Fn<ReadonlyArray<unknown>>,
  ...args: ReadonlyArray<unknown>
  // deno-lint-ignore no-explicit-any
): Effect.Effect<TimerHandle, never, any> {
  return Effect.withFiber((fiber) => {
    const millis = millisOf(delay)
    if (Number.isNaN(millis)) return Effect.die(badTime("callLater: the delay", delay))
    const queue = existingTimerQueue(fiber)
    return queue !== undefined
      ? Effect.succeed(
        queue.schedule(queue.now() + millis, callback as Callback, args, fiber.context),
      )
      : Effect.map(
        timerQueue,
        (queue) => queue.schedule(queue.now() + millis, callback as Callback, args, fiber.context),
      )
  })
}

/**
 * Runs `callback` at `when`, in seconds of the {@link time} clock, like
 * `loop.call_at`; a time in the past runs it on the next turn. NaN is a
 * defect (`IllegalArgumentError`).
 */
export function callAt<E, R>(
  when: number,
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<TimerHandle, never, R | Scope.Scope>
// deno-lint-ignore no-explicit-any
export function callAt<Args extends ReadonlyArray<any>>(
  when: number,
  callback: Fn<Args>,
  ...args: Args
): Effect.Effect<TimerHandle, never, Scope.Scope>
export function callAt(
  when: number,
  // deno-lint-ignore no-explicit-any
  callback: Effect.Effect<unknown, unknown, any> | Fn<ReadonlyArray<unknown>>,
  ...args: ReadonlyArray<unknown>
  // deno-lint-ignore no-explicit-any
): Effect.Effect<TimerHandle, never, any> {
  return Effect.withFiber((fiber) => {
    if (typeof when !== "number" || Number.isNaN(when)) {
      return Effect.die(badTime("callAt: when", when))
    }
    const queue = existingTimerQueue(fiber)
    return queue !== undefined
      ? Effect.succeed(queue.schedule(when * 1000, callback as Callback, args, fiber.context))
      : Effect.map(
        timerQueue,
        (queue) => queue.schedule(when * 1000, callback as Callback, args, fiber.context),
      )
  })
}

/**
 * The loop's callbacks as plain synchronous methods, like the loop object
 * `asyncio.get_running_loop()` returns: `loop.callLater(0.1 s, f, ...args)`
 * with no Effect per call, for code that schedules many callbacks in a
 * plain loop. Same timer queue, same rules as {@link callSoon},
 * {@link callLater} and {@link callAt}, bound to the caller's `Scope`; an
 * Effect callback runs in the context of the fiber that got the loop. A NaN
 * time throws a `Cause.IllegalArgumentError`.
 */
export interface RunningLoopHandle {
  /** {@link time}, read synchronously. */
  time(): number
  // deno-lint-ignore no-explicit-any
  callSoon<Args extends ReadonlyArray<any>>(callback: Fn<Args> | Callback, ...args: Args): Handle
  // deno-lint-ignore no-explicit-any
  callLater<Args extends ReadonlyArray<any>, const D extends Duration.Input>(
    delay: Delay<D>,
    callback: Fn<Args> | Callback,
    ...args: Args
  ): TimerHandle
  // deno-lint-ignore no-explicit-any
  callAt<Args extends ReadonlyArray<any>>(
    when: number,
    callback: Fn<Args> | Callback,
    ...args: Args
  ): TimerHandle
}

/** The running loop's synchronous methods (`asyncio.get_running_loop()`); see {@link RunningLoopHandle}. */
export const getRunningLoop: Effect.Effect<RunningLoopHandle, never, Scope.Scope> = Effect
  .withFiber((fiber) =>
    Effect.map(timerQueue, (queue): RunningLoopHandle => {
      const context = fiber.context
      return {
        time: () => queue.now() / 1000,
        callSoon: (callback, ...args) => queue.soon(callback as Callback, args, context),
        callLater: (delay, callback, ...args) => {
          const millis = millisOf(delay)
          if (Number.isNaN(millis)) throw badTime("callLater: the delay", delay)
          return queue.schedule(queue.now() + millis, callback as Callback, args, context)
        },
        callAt: (when, callback, ...args) => {
          if (typeof when !== "number" || Number.isNaN(when)) throw badTime("callAt: when", when)
          return queue.schedule(when * 1000, callback as Callback, args, context)
        },
      }
    })
  )
