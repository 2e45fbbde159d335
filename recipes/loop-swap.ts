/**
 * Using uvloop — `asyncio.set_event_loop(uvloop.new_event_loop())`.
 *
 * uvloop shows that asyncio's loop is a replaceable part, and that a better
 * one makes the same code faster. In Effect the replaceable part is the
 * `Scheduler` that dispatches fiber tasks. This recipe runs one workload
 * twice, on `defaultLoop` (Effect's `MixedScheduler`) and on `fastLoop`
 * (this library's `FastScheduler`), with `withLoop`, and prints both
 * timings and the ratio. Notice:
 * - the workload is the same code; only the region's loop differs;
 * - for a whole program, `run(main, { loop: fastLoop })` is the one-line swap;
 * - what is swapped is fiber dispatch. The runtime's own loop (tokio under
 *   Deno, Bun's loop under Bun) still runs timers, sockets and promise jobs,
 *   so I/O-bound code gains little; fiber-heavy code (many wake-ups and
 *   yields) gains most. On Deno, each fiber suspension also pays for Effect's
 *   async-context capture (`AsyncResource`), which no scheduler removes, so
 *   the ratio there is smaller (see bench/results/REPORT.md).
 *
 * Run it:  deno run recipes/loop-swap.ts [--n 20000]   |   bun recipes/loop-swap.ts
 * Output (figures vary by machine and runtime):
 *   workload: 20,000 ping-pong round trips through two Events; spawn-gather of 20,000 tasks
 *   defaultLoop on bun 1.4.5 (host loop: Bun event loop (uSockets)): ping-pong 301,234 round trips/s, spawn-gather 2.10 µs/task
 *   fastLoop on bun 1.4.5 (host loop: Bun event loop (uSockets)): ping-pong 812,345 round trips/s, spawn-gather 0.95 µs/task
 *   fastLoop vs defaultLoop: ping-pong 2.70× faster, spawn-gather 2.21× faster
 */
import { Console, Effect, Fiber } from "effect"
import { run } from "effect-asyncio/coroutine"
import * as Event from "effect-asyncio/event"
import { defaultLoop, fastLoop, type Loop, loopInfo, withLoop } from "effect-asyncio/loop"
import process from "node:process"

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

/** `n` tasks that each yield to the loop once and return their index, gathered (as in run-concurrently's bench). */
export const spawnGather = (n: number) =>
  Effect.all(Array.from({ length: n }, (_, i) => Effect.as(Effect.yieldNow, i)), {
    concurrency: "unbounded",
  })

/** Milliseconds `effect` takes on `loop`. */
export const timeOn = <A, E>(loop: Loop, effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const start = performance.now()
    yield* withLoop(loop)(effect)
    return performance.now() - start
  })

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const fmt = (x: number, digits = 0) =>
  x.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits })

export const main = (n = 20_000, rounds = 3) =>
  Effect.gen(function* () {
    yield* Console.log(
      `workload: ${fmt(n)} ping-pong round trips through two Events; spawn-gather of ${
        fmt(n)
      } tasks`,
    )
    const loops: ReadonlyArray<Loop> = [defaultLoop, fastLoop]
    const times = new Map(
      loops.map((loop) => [loop, { ping: [] as number[], gather: [] as number[] }]),
    )
    // One warm-up pass, then alternate the loops so both see the same machine.
    for (const loop of loops) yield* timeOn(loop, Effect.andThen(pingPong(n), spawnGather(n)))
    for (let round = 0; round < rounds; round++) {
      for (const loop of loops) {
        times.get(loop)!.ping.push(yield* timeOn(loop, pingPong(n)))
        times.get(loop)!.gather.push(yield* timeOn(loop, spawnGather(n)))
      }
    }
    const rate = (loop: Loop) => n / (median(times.get(loop)!.ping) / 1000)
    const perTask = (loop: Loop) => (median(times.get(loop)!.gather) * 1000) / n
    for (const loop of loops) {
      const info = yield* withLoop(loop)(loopInfo())
      yield* Console.log(
        `${info.loop} on ${info.runtime} ${info.runtimeVersion} (host loop: ${info.hostLoop}): ` +
          `ping-pong ${fmt(rate(loop))} round trips/s, spawn-gather ${
            fmt(perTask(loop), 2)
          } µs/task`,
      )
    }
    yield* Console.log(
      `fastLoop vs defaultLoop: ping-pong ${
        (rate(fastLoop) / rate(defaultLoop)).toFixed(2)
      }× faster, ` +
        `spawn-gather ${(perTask(defaultLoop) / perTask(fastLoop)).toFixed(2)}× faster`,
    )
  })

/** Reads `--n N` from the command line; 20 000 when absent. */
export const parseN = (args: ReadonlyArray<string>): number => {
  const at = args.indexOf("--n")
  if (at === -1) return 20_000
  const n = Number(args[at + 1])
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`--n wants a positive integer, got ${args[at + 1]}`)
  }
  return n
}

if (import.meta.main) run(main(parseN(process.argv.slice(2))))
