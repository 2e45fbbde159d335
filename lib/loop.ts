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
// Everything the two parts export is the loop's public API.
export * from "./loop/loops.ts"
export * from "./loop/callbacks.ts"
export type { Delay } from "./internal/millis.ts"
