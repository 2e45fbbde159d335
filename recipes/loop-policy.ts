/**
 * Using uvloop for every loop — `asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())`.
 *
 * The policy form of uvloop installs it once, at the top, and every loop the
 * program makes is a uvloop. The Effect analog is a Layer: `loopLayer(fastLoop)`
 * provides the scheduler at the root, and every fiber inherits it, however
 * and wherever it is forked: a child, a grandchild in a helper, a detached
 * daemon, `gather`'s fibers, a `callLater` callback. Each of them asks
 * `loopInfo()` which loop runs it, and the loop's own counter shows that its
 * queue dispatched their tasks. Notice:
 * - nothing below `main` mentions the loop;
 * - the same Layer works for a `ManagedRuntime`, so `runtime.runPromise(...)`
 *   calls made from plain callbacks run on it too; a bare `Effect.runPromise`
 *   started outside would not (it starts from an empty context);
 * - the first import is the other whole-program choice:
 *   `effect-asyncio/no-async-context` makes every fiber skip Effect's
 *   async-context capture at each suspension (much of a suspension's cost on
 *   Deno). Choose it when nothing relies on `AsyncLocalStorage` values
 *   following fibers (OpenTelemetry's context manager, some loggers); Effect's
 *   own context (services, References, spans) is unaffected. It must come
 *   before anything imports `effect` (or: `--preload effect-asyncio/no-async-context`).
 *
 * Run it:  deno run recipes/loop-policy.ts   |   bun recipes/loop-policy.ts
 * Output (the runtime line differs on Bun):
 *   policy: fastLoop for the whole program, on deno 2.9.6 (host loop: tokio (Rust))
 *   async context captured at each suspension: no
 *   main runs on fastLoop
 *   child runs on fastLoop
 *   grandchild runs on fastLoop
 *   detached runs on fastLoop
 *   gather 0 runs on fastLoop
 *   gather 1 runs on fastLoop
 *   callLater runs on fastLoop
 *   fastLoop's queue dispatched the fibers' tasks: yes
 */
// uvloop.install()'s place: first, before anything loads effect (see the notes above).
import "effect-asyncio/no-async-context"
import { Console, Effect, Fiber } from "effect"
import { gather, run } from "effect-asyncio/coroutine"
import * as Event from "effect-asyncio/event"
import { callLater, fastLoop, loopInfo, loopLayer } from "effect-asyncio/loop"

// A coroutine that reports which loop runs it. It knows nothing about loops.
export const report = (who: string) =>
  Effect.flatMap(loopInfo(), (info) => Console.log(`${who} runs on ${info.loop}`))

// A helper deep inside the program that forks a fiber of its own.
const helper = Effect.flatMap(Effect.forkChild(report("grandchild")), Fiber.join)

export const main = Effect.scoped(Effect.gen(function* () {
  const info = yield* loopInfo()
  yield* Console.log(
    `policy: ${info.loop} for the whole program, on ${info.runtime} ${info.runtimeVersion} (host loop: ${info.hostLoop})`,
  )
  yield* Console.log(
    `async context captured at each suspension: ${info.capturesAsyncContext ? "yes" : "no"}`,
  )
  const tasksBefore = fastLoop.scheduler.stats.tasks
  yield* report("main")
  yield* Fiber.join(yield* Effect.forkChild(report("child")))
  yield* Fiber.join(yield* Effect.forkChild(helper))
  yield* Fiber.join(yield* Effect.forkDetach(report("detached")))
  yield* gather([report("gather 0"), report("gather 1")])
  const done = yield* Event.make
  yield* callLater("10 millis", Effect.andThen(report("callLater"), done.set))
  yield* done.wait
  const dispatched = fastLoop.scheduler.stats.tasks > tasksBefore
  yield* Console.log(`fastLoop's queue dispatched the fibers' tasks: ${dispatched ? "yes" : "no"}`)
}))

// set_event_loop_policy: install the loop once, for everything main runs and forks.
if (import.meta.main) run(Effect.provide(main, loopLayer(fastLoop)))
