/**
 * The common misconception, part 1: a blocking call stalls every fiber.
 *
 * asyncio runs coroutines concurrently on one thread, and so do Effect's
 * fibers. `asyncio.sleep` (here `Effect.sleep`) gives the thread back while
 * it waits; `time.sleep` (here `Atomics.wait`, or any synchronous busy loop,
 * sync file or process call) keeps it, and nothing else runs until it
 * returns. A heartbeat that should tick every 10 ms shows the difference:
 * the lag monitor measures how late its ticks run (and, like asyncio's debug
 * mode, warns when a tick is over 100 ms late).
 *
 * The cure for a blocking call you cannot rewrite is the playbook's own: run
 * it in an executor. The call still blocks, but a worker thread, not the one
 * the fibers share.
 *
 * Run it:  deno run --allow-read recipes/blocking-call.ts   |   bun recipes/blocking-call.ts
 *
 * Output (measured on Deno here; Bun: 0.4, 199.9 and 0.4 ms). The WARN line is
 * the lag monitor's, as asyncio's debug mode would log it:
 *   a heartbeat ticks every 10 ms while another fiber waits 200 ms
 *   Effect.sleep (non-blocking)     worst heartbeat lateness:   1.6 ms
 *   [14:44:23.482] WARN (#3): event loop blocked: a 10 ms tick ran 201.8 ms late (threshold 100 ms); …
 *   Atomics.wait (blocking)         worst heartbeat lateness: 201.8 ms
 *   Atomics.wait in the executor    worst heartbeat lateness:   1.7 ms
 */
import { Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"
import { runInExecutor, workerFunction } from "effect-asyncio/executor"
import { worstLateness } from "effect-asyncio/lag-monitor"

/** JavaScript's `time.sleep`: blocks the calling thread for `ms` milliseconds. */
export const blockingSleep = workerFunction(
  import.meta.url,
  "blockingSleep",
  (ms: number): number => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
    return ms
  },
)

export const cases = {
  "Effect.sleep (non-blocking)": Effect.sleep("200 millis"),
  "Atomics.wait (blocking)": Effect.sync(() => blockingSleep(200)),
  // `null` is the default executor, a thread pool started on first use.
  "Atomics.wait in the executor": runInExecutor(null, blockingSleep, 200),
}

export const main = Effect.gen(function* () {
  // Start the default executor's worker before measuring: a worker's start-up is not the lesson.
  yield* runInExecutor(null, blockingSleep, 0)
  yield* Console.log("a heartbeat ticks every 10 ms while another fiber waits 200 ms")
  for (const [name, waiter] of Object.entries(cases)) {
    // A 10 ms heartbeat beside the waiter: how late did its worst tick run?
    const lateness = yield* worstLateness(waiter)
    yield* Console.log(
      `${name.padEnd(30)}  worst heartbeat lateness: ${lateness.toFixed(1).padStart(5)} ms`,
    )
  }
})

if (import.meta.main) run(main)
