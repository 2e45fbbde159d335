import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber, Logger } from "effect"
import { TestClock } from "effect/testing"
import * as LagMonitor from "effect-asyncio/lag-monitor"

const busyWait = (ms: number) => {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // the thread is held: no timer, no fiber, no I/O runs
  }
}

test("lag-monitor: under a TestClock, ticks that run on time report zero lag", async () => {
  const report = await Effect.runPromise(
    Effect.scoped(Effect.gen(function* () {
      const monitor = yield* LagMonitor.make({ interval: "10 millis" })
      for (let i = 0; i < 10; i++) yield* TestClock.adjust("10 millis")
      return yield* monitor.report
    })).pipe(Effect.provide(TestClock.layer())),
  )
  assert.equal(report.samples, 10)
  assert.equal(report.maxMs, 0)
  assert.equal(report.overThreshold, 0)
})

test("lag-monitor: a real 150 ms block is reported as lag and logged as a warning", async () => {
  const warnings: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => {
    if (logLevel === "Warn") warnings.push(String(message))
  })
  const report = await Effect.runPromise(
    Effect.scoped(Effect.gen(function* () {
      const monitor = yield* LagMonitor.make({ interval: "5 millis", threshold: "50 millis" })
      yield* Effect.sleep("30 millis")
      busyWait(150)
      yield* Effect.sleep("30 millis")
      return yield* monitor.report
    })).pipe(Effect.provide(Logger.layer([logger]))),
  )
  assert.ok(report.maxMs >= 100, `max lag ${report.maxMs} ms`)
  assert.ok(report.overThreshold >= 1)
  assert.ok(report.samples >= 3)
  assert.equal(warnings.length, report.overThreshold)
  assert.match(
    warnings[0],
    /event loop blocked: a 5 ms tick ran \d+\.\d ms late \(threshold 50 ms\)/,
  )
})

test("lag-monitor: reset clears the figures; the monitor stops with its scope", async () => {
  await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(Effect.scoped(Effect.gen(function* () {
        const monitor = yield* LagMonitor.make({ interval: "10 millis" })
        yield* TestClock.adjust("50 millis")
        assert.equal((yield* monitor.report).samples, 5)
        yield* monitor.reset
        assert.deepEqual(yield* monitor.report, {
          samples: 0,
          maxMs: 0,
          p99Ms: 0,
          meanMs: 0,
          overThreshold: 0,
        })
        return monitor
      })))
      const monitor = yield* Fiber.join(fiber)
      yield* TestClock.adjust("50 millis")
      assert.equal((yield* monitor.report).samples, 0, "no tick after the scope closed")
    }).pipe(Effect.provide(TestClock.layer())),
  )
})

test("lag-monitor: p99 and mean are taken over the recent window", async () => {
  const report = await Effect.runPromise(
    Effect.scoped(Effect.gen(function* () {
      const monitor = yield* LagMonitor.make({ interval: "10 millis", window: 4 })
      for (let i = 0; i < 8; i++) yield* TestClock.adjust("10 millis")
      return yield* monitor.report
    })).pipe(Effect.provide(TestClock.layer())),
  )
  assert.equal(report.samples, 8)
  assert.equal(report.p99Ms, 0)
  assert.equal(report.meanMs, 0)
})
