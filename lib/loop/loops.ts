/**
 * Which loop dispatches the fibers: a {@link Loop} names a scheduler
 * (`defaultLoop`, `fastLoop`, `makeLoop`), {@link withLoop} swaps it for a
 * region, {@link loopLayer} for a program, {@link loopInfo} reports it.
 * Internal to `effect-asyncio/loop`, which re-exports it.
 *
 * @module
 */
import { Effect, Layer, Scheduler } from "effect"
import { capturesAsyncContext } from "../internal/async-context.ts"
import { runtime } from "../internal/runtime.ts"
import { FastScheduler, type FastSchedulerOptions } from "./fast-scheduler.ts"

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

/** This library's faster scheduler, `FastScheduler` (fast-scheduler.ts). */
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
