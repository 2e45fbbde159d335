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
 * (`effect-asyncio/scheduler`). {@link withLoop} swaps it for a region (the
 * `set_event_loop` analog; `run(main, { loop })` does it for a program),
 * {@link loopLayer} is the Layer for a whole program or `ManagedRuntime` (the
 * policy analog). What it does not swap: the runtime's own I/O loop (tokio
 * under Deno, Bun's loop under Bun), which still runs timers, sockets and
 * promise jobs; {@link loopInfo} reports both.
 *
 * **Callbacks.** In asyncio `call_soon`/`call_later`/`call_at` are methods of
 * the loop; here they are effects that fork the callback as a fiber in the
 * caller's `Scope` (the program's scope under `run`), so a callback that has
 * not run yet is dropped when the program ends, and nothing outlives it.
 * Time is Effect's `Clock`, so `TestClock` drives them in tests.
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
 * const note = (s: string) => Effect.sync(() => seen.push(s))
 * await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   yield* callLater("20 millis", note("later"))
 *   const dropped = yield* callLater("10 millis", note("cancelled"))
 *   yield* callSoon(note("soon"))
 *   yield* dropped.cancel
 *   assert.equal(dropped.cancelled(), true)
 *   yield* Effect.sleep("30 millis")
 * })))
 * assert.deepEqual(seen, ["soon", "later"])
 * ```
 *
 * @module
 */
import { Clock, Duration, Effect, Fiber, Layer, Scheduler, type Scope } from "effect"
import { capturesAsyncContext } from "./async-context.ts"
import { runtime } from "./runtime.ts"
import { FastScheduler, type FastSchedulerOptions } from "./scheduler.ts"

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

/** This library's faster scheduler, `FastScheduler` (see `effect-asyncio/scheduler`). */
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
export const currentLoop: Effect.Effect<Loop> = Effect.map(
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
  /** Whether `cancel` stopped the callback before it started. */
  cancelled(): boolean
}

/** A callback scheduled at a time, like asyncio's `TimerHandle`. */
export interface TimerHandle extends Handle {
  /** When the callback is due, in `Clock` milliseconds (see {@link time}). */
  readonly when: number
}

/** The loop's clock in milliseconds (`loop.time()`, but Effect's `Clock`, so `TestClock` moves it). */
export const time: Effect.Effect<number> = Clock.currentTimeMillis

const schedule = <E, R>(
  delayMillis: number | undefined,
  callback: Effect.Effect<unknown, E, R>,
  when = 0,
): Effect.Effect<TimerHandle, never, R | Scope.Scope> =>
  Effect.suspend(() => {
    let started = false
    let cancelled = false
    const body = Effect.suspend(() => {
      started = true
      return callback
    })
    const fork = Effect.forkScoped(
      delayMillis === undefined
        ? body
        : Effect.andThen(Effect.sleep(Math.max(0, delayMillis)), body),
    )
    return Effect.map(fork, (fiber) => ({
      when,
      cancel: Effect.suspend(() => {
        if (started || cancelled || fiber.pollUnsafe()) return Effect.void
        cancelled = true
        return Fiber.interrupt(fiber)
      }),
      cancelled: () => cancelled,
    }))
  })

/**
 * Runs `callback` on the loop's next turn, like `loop.call_soon`: it is
 * forked into the current scope and starts after the caller yields.
 */
export const callSoon = <E, R>(
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<Handle, never, R | Scope.Scope> => schedule(undefined, callback)

/**
 * Runs `callback` after `delay`, like `loop.call_later`. Callbacks due at the
 * same time run in the order they were scheduled.
 */
export const callLater = <E, R>(
  delay: Duration.Input,
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<TimerHandle, never, R | Scope.Scope> =>
  Effect.flatMap(time, (now) => {
    const millis = Duration.toMillis(Duration.fromInputUnsafe(delay))
    return schedule(millis, callback, now + millis)
  })

/**
 * Runs `callback` at `when` (milliseconds on the {@link time} clock), like
 * `loop.call_at`; a time in the past runs it on the next turn.
 */
export const callAt = <E, R>(
  when: number,
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<TimerHandle, never, R | Scope.Scope> =>
  Effect.flatMap(time, (now) => schedule(when - now, callback, when))
