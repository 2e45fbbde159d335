import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { runInExecutor } from "effect-asyncio/executor"
import { blockingSleep } from "../recipes/blocking-call.ts"
import { worstLateness } from "effect-asyncio/lag-monitor"
import { waitForNotify } from "./fixtures/wait-for-notify.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

test("blocking-call: blockingSleep holds the thread for the time asked", () => {
  const started = performance.now()
  assert.equal(blockingSleep(60), 60)
  assert.ok(performance.now() - started >= 55)
})

test("blocking-call: a non-blocking wait leaves the heartbeat on time (TestClock)", async () => {
  const lateness = await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(worstLateness(Effect.sleep("200 millis")))
      for (let i = 0; i < 30; i++) yield* TestClock.adjust("10 millis")
      return yield* Fiber.join(fiber)
    }).pipe(Effect.provide(TestClock.layer())),
  )
  assert.equal(lateness, 0)
})

test("blocking-call: a blocking wait delays the heartbeat by about the wait", async () => {
  const lateness = await Effect.runPromise(worstLateness(Effect.sync(() => blockingSleep(150))))
  assert.ok(lateness >= 120, `heartbeat lateness ${lateness} ms`)
})

test("blocking-call: a call blocking in the executor leaves the main thread free (no clock read)", async () => {
  // The task blocks its worker until the main thread wakes it. Had it blocked the main thread
  // instead, nothing could wake it and it would time out after 20 s.
  const buffer = new SharedArrayBuffer(4)
  const result = await Effect.runPromise(Effect.gen(function* () {
    const waiting = yield* Effect.forkChild(runInExecutor(null, waitForNotify, buffer, 20_000))
    yield* Effect.sleep("10 millis") // the main thread runs a timer meanwhile
    const cells = new Int32Array(buffer)
    Atomics.store(cells, 0, 1)
    Atomics.notify(cells, 0)
    return yield* Fiber.join(waiting)
  }))
  assert.notEqual(result, "timed-out")
})

const latenessOf = (lines: ReadonlyArray<string>, name: string): number => {
  const line = lines.find((l) => l.startsWith(name))
  assert.ok(line, `no line for ${name} in:\n${lines.join("\n")}`)
  return Number(line.match(/worst heartbeat lateness:\s+([\d.]+) ms/)?.[1])
}

test("blocking-call: the recipe shows the lesson and exits", async () => {
  const run = await runScript(fromRoot("recipes/blocking-call.ts"), [], { timeoutMs: 30_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.lines[0], "a heartbeat ticks every 10 ms while another fiber waits 200 ms")
  const nonBlocking = latenessOf(run.lines, "Effect.sleep (non-blocking)")
  const blocking = latenessOf(run.lines, "Atomics.wait (blocking)")
  const inExecutor = latenessOf(run.lines, "Atomics.wait in the executor")
  // A blocked thread delays the heartbeat by at least the 200 ms wait, on any machine. The other
  // two figures are wall times a busy machine can inflate at will: that they stay small is shown
  // without the clock, by the TestClock test above and the executor test below.
  assert.ok(blocking >= 150, `blocking lateness ${blocking} ms`)
  assert.ok(nonBlocking >= 0 && inExecutor >= 0)
  // Like asyncio's debug mode, the monitor warned about the blocked loop.
  assert.match(run.stdout + run.stderr, /event loop blocked: a 10 ms tick ran \d+\.\d ms late/)
})
