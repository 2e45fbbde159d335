/**
 * A loop-lag monitor: the counterpart of asyncio's debug mode, which warns
 * about callbacks slower than `slow_callback_duration`.
 *
 * A scoped fiber sleeps for a short interval again and again and records how
 * late each wake-up is. A late tick means something held the thread: a
 * blocking call, a CPU-bound loop, a fiber that never yields. Past the
 * threshold it logs a warning naming the lag; `report` gives the worst and
 * the 99th percentile. It costs one timer per interval, so it can stay on.
 * {@link worstLateness} runs one effect beside a monitor and returns the
 * worst lateness: what that effect cost every other fiber.
 *
 * @example A blocking call shows up as lag
 * ```ts
 * import { Effect } from "effect"
 * import * as LagMonitor from "effect-asyncio/lag-monitor"
 * import assert from "node:assert/strict"
 *
 * const report = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   const monitor = yield* LagMonitor.make({ interval: "5 millis", threshold: "1 second" })
 *   yield* Effect.sleep("20 millis")
 *   const until = performance.now() + 60
 *   while (performance.now() < until) {} // blocks the thread for 60 ms
 *   yield* Effect.sleep("20 millis")
 *   return yield* monitor.report
 * })))
 * assert.ok(report.maxMs >= 40, `max lag ${report.maxMs} ms`)
 * ```
 *
 * @module
 */
import { Clock, Duration, Effect, type Scope } from "effect"

/** Options for {@link make}. */
export interface LagMonitorOptions {
  /** How often the monitor ticks (10 ms by default). */
  readonly interval?: Duration.Input
  /** A tick later than this logs a warning (100 ms by default, asyncio's `slow_callback_duration`). */
  readonly threshold?: Duration.Input
  /** How many recent ticks the percentile is taken over (1 000 by default). */
  readonly window?: number
}

/** What the monitor has seen since it started (or since `reset`). */
export interface LagReport {
  /** Ticks measured. */
  readonly samples: number
  /** The latest any tick ran, in milliseconds. */
  readonly maxMs: number
  /** The 99th percentile of lateness over the recent window, in milliseconds. */
  readonly p99Ms: number
  /** Mean lateness over the recent window, in milliseconds. */
  readonly meanMs: number
  /** Ticks later than the threshold. */
  readonly overThreshold: number
}

/** A running monitor; it stops when the scope it was made in closes. */
export interface LagMonitor {
  readonly report: Effect.Effect<LagReport>
  readonly reset: Effect.Effect<void>
}

/**
 * Starts a lag monitor in the current scope. Uses Effect's `Clock`, so under
 * a `TestClock` it measures test time.
 */
export const make = (
  options: LagMonitorOptions = {},
): Effect.Effect<LagMonitor, never, Scope.Scope> =>
  Effect.gen(function* () {
    const intervalMs = Duration.toMillis(options.interval ?? "10 millis")
    const thresholdMs = Duration.toMillis(options.threshold ?? "100 millis")
    const window = new Float64Array(Math.max(1, options.window ?? 1_000))
    let samples = 0
    let maxMs = 0
    let overThreshold = 0
    const clock = yield* Clock.Clock
    const nowMs = () => Number(clock.currentTimeNanosUnsafe()) / 1e6

    // Lateness is measured from the end of the previous tick, not from the start
    // of this one: a block that falls between two ticks (while the loop yields
    // between iterations) still shows up.
    let last = nowMs()
    const tick = Effect.flatMap(Effect.sleep(intervalMs), () => {
      const now = nowMs()
      const lag = Math.max(0, now - last - intervalMs)
      last = now
      window[samples % window.length] = lag
      samples++
      if (lag > maxMs) maxMs = lag
      if (lag <= thresholdMs) return Effect.void
      overThreshold++
      return Effect.logWarning(
        `event loop blocked: a ${intervalMs} ms tick ran ${lag.toFixed(1)} ms late ` +
          `(threshold ${thresholdMs} ms); something blocked the thread`,
      )
    })
    yield* Effect.forkScoped(Effect.forever(tick))

    const report = Effect.sync((): LagReport => {
      const recent = Array.from(window.subarray(0, Math.min(samples, window.length))).sort((a, b) =>
        a - b
      )
      const p99 = recent.length === 0
        ? 0
        : recent[Math.min(recent.length - 1, Math.floor(recent.length * 0.99))]
      const mean = recent.length === 0 ? 0 : recent.reduce((a, b) => a + b, 0) / recent.length
      return { samples, maxMs, p99Ms: p99, meanMs: mean, overThreshold }
    })
    const reset = Effect.sync(() => {
      samples = 0
      maxMs = 0
      overThreshold = 0
    })
    return { report, reset }
  })

/**
 * Runs `effect` beside a monitor that ticks every 10 ms (and warns past
 * 100 ms, as asyncio's debug mode does) and returns the worst lateness of its
 * ticks in ms: near 0 while `effect` gives the thread back, about the blocked
 * time while it keeps it. What a blocking call costs every other fiber.
 */
export const worstLateness = <E>(effect: Effect.Effect<unknown, E>): Effect.Effect<number, E> =>
  Effect.scoped(Effect.gen(function* () {
    const heartbeat = yield* make({ interval: "10 millis", threshold: "100 millis" })
    yield* Effect.sleep("30 millis") // a few ticks on an idle loop first
    yield* effect
    yield* Effect.sleep("30 millis") // and the tick that was due during the wait
    return (yield* heartbeat.report).maxMs
  }))
