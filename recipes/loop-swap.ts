/**
 * Using uvloop — `asyncio.set_event_loop(uvloop.new_event_loop())`.
 *
 * uvloop shows that asyncio's loop is a replaceable part, and that a better
 * one makes the same code faster. In Effect the replaceable part is the
 * `Scheduler` that dispatches fiber tasks. `withLoop(fastLoop)` swaps Effect's
 * `MixedScheduler` (`defaultLoop`) for this library's `FastScheduler` for one
 * region (`run(main, { loop: fastLoop })` does it for a whole program). The
 * recipe runs the same ping-pong before and after the swap and prints what
 * changed and what did not. Notice:
 * - the workload is the same code; only the region's loop differs;
 * - the runtime's own loop (tokio under Deno, Bun's loop under Bun) is not
 *   swapped: it still runs timers, sockets and promise jobs, so fiber-heavy
 *   code (many wake-ups and yields) gains most, I/O-bound code little;
 * - how much faster: `npm run bench -- loop-swap` (bench/loop-swap.bench.ts),
 *   figures in bench/results/REPORT.md, with asyncio and uvloop beside them.
 *
 * Run it:  deno run recipes/loop-swap.ts   |   bun recipes/loop-swap.ts
 * Output (the host loop is Bun's under Bun):
 *   before: defaultLoop, Effect MixedScheduler (one dispatcher and one setImmediate per fiber)
 *   after:  fastLoop, effect-asyncio FastScheduler (one shared FIFO ring, 2 ms slices)
 *   1,000 ping-pong round trips on each; fastLoop's queue dispatched 1,999 tasks
 *   not swapped: the host loop, tokio (Rust)
 *   timings: npm run bench -- loop-swap (bench/results/REPORT.md)
 */
import { Console, Effect, Fiber } from "effect"
import { run } from "effect-asyncio/coroutine"
import * as Event from "effect-asyncio/event"
import { fastLoop, loopInfo, withLoop } from "effect-asyncio/loop"

/** Two fibers hand a turn back and forth through two Events, `n` round trips. */
export const pingPong = (n: number) =>
  Effect.gen(function* () {
    const ping = yield* Event.make
    const pong = yield* Event.make
    const ponger = yield* Effect.forkChild(Effect.gen(function* () {
      for (let i = 0; i < n; i++) {
        yield* ping.wait
        yield* ping.clear
        yield* pong.set
      }
    }))
    for (let i = 0; i < n; i++) {
      yield* ping.set
      yield* pong.wait
      yield* pong.clear
    }
    yield* Fiber.join(ponger)
  })

export const main = (n = 1_000) =>
  Effect.gen(function* () {
    const before = yield* Effect.andThen(pingPong(n), loopInfo())
    yield* Console.log(`before: ${before.loop}, ${before.scheduler}`)
    const tasks = fastLoop.scheduler.stats.tasks
    // The swap: the same workload, on fastLoop for this region.
    const after = yield* withLoop(fastLoop)(Effect.andThen(pingPong(n), loopInfo()))
    yield* Console.log(`after:  ${after.loop}, ${after.scheduler}`)
    const dispatched = fastLoop.scheduler.stats.tasks - tasks
    yield* Console.log(
      `${n.toLocaleString("en")} ping-pong round trips on each; ` +
        `fastLoop's queue dispatched ${dispatched.toLocaleString("en")} tasks`,
    )
    yield* Console.log(`not swapped: the host loop, ${after.hostLoop}`)
    yield* Console.log("timings: npm run bench -- loop-swap (bench/results/REPORT.md)")
  })

if (import.meta.main) run(main())
