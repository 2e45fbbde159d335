/**
 * Graceful shutdown: `loop.add_signal_handler` — stop cleanly on SIGINT or SIGTERM.
 *
 * A worker task ticks every 200 ms. Main takes both signals over with
 * `addSignalHandler` (so `run` leaves them to it), waits for one, cancels the
 * worker (its finalizer saves its state), and ends with the exit code of a
 * program killed by that signal: 130 for SIGINT (Ctrl-C), 143 for SIGTERM
 * (`kill`). Without the handlers `run` would do much the same on its own:
 * interrupt main, run every finalizer, exit 130 or 143.
 *
 * Run it:  deno run recipes/graceful-shutdown.ts   |   bun recipes/graceful-shutdown.ts
 * then press Ctrl-C, or `kill <pid>` from another terminal.
 * Output (Ctrl-C after the third tick; exit code 130):
 *   working (pid 12345); Ctrl-C or SIGTERM stops me
 *   tick 1
 *   tick 2
 *   tick 3
 *   got SIGINT: shutting down
 *   cleanup: state saved after 3 ticks
 */
import { Console, Deferred, Effect } from "effect"
import process from "node:process"
import { createTask, run } from "effect-asyncio/coroutine"
import { addSignalHandler, type Signal, signalExitCode } from "effect-asyncio/signals"

// Periodic work; its finalizer is the cleanup, run however the worker ends.
const worker = Effect.suspend(() => {
  let ticks = 0
  return Effect.sleep("200 millis").pipe(
    Effect.andThen(Effect.suspend(() => Console.log(`tick ${++ticks}`))),
    Effect.forever,
    Effect.ensuring(Effect.suspend(() => Console.log(`cleanup: state saved after ${ticks} ticks`))),
  )
})

export const main = Effect.gen(function* () {
  const stop = yield* Deferred.make<Signal>()
  // loop.add_signal_handler(sig, stop.set_result, sig) for both signals.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    yield* addSignalHandler(signal, Deferred.succeed(stop, signal))
  }
  const task = yield* createTask(worker, { name: "worker" })
  yield* Console.log(`working (pid ${process.pid}); Ctrl-C or SIGTERM stops me`)
  const signal = yield* Deferred.await(stop)
  yield* Console.log(`got ${signal}: shutting down`)
  yield* task.cancel // waits until the worker's cleanup has run
  return signal
})

if (import.meta.main) process.exitCode = signalExitCode(await run(main))
