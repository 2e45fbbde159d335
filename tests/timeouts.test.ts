import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber } from "effect"
import { TestClock, TestConsole } from "effect/testing"
import { withRunningLoop } from "effect-asyncio/task"
import { main } from "../recipes/timeouts.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

const expected = [
  "slow query: rolled back",
  "timeout: TimeoutError",
  "rescheduled by 0.2 s: finished, expired false",
  "waitFor: TimeoutError",
  "caller: TimeoutError, gave up waiting",
  "commit: done",
]

test("timeouts: each deadline fires when due; the shielded commit outlives its caller (TestClock)", async () => {
  const lines = await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(withRunningLoop(main))
      const logged = () => Effect.map(TestConsole.logLines, (lines) => lines.map(String))
      yield* TestClock.adjust("99 millis")
      assert.deepEqual(yield* logged(), [], "the 100 ms timeout has not fired at 99 ms")
      yield* TestClock.adjust("1 millis")
      assert.deepEqual(yield* logged(), expected.slice(0, 2))
      // The rescheduled block sleeps 200 ms (deadline moved to 300 ms): done at 300 ms.
      yield* TestClock.adjust("199 millis")
      assert.deepEqual(yield* logged(), expected.slice(0, 2))
      yield* TestClock.adjust("1 millis")
      assert.deepEqual(yield* logged(), expected.slice(0, 3))
      // waitFor's 50 ms, then the caller's 50 ms: the commit is still running.
      yield* TestClock.adjust("100 millis")
      assert.deepEqual(yield* logged(), expected.slice(0, 5))
      // The commit ends 150 ms after it started, while main sleeps.
      yield* TestClock.adjust("200 millis")
      yield* Fiber.join(fiber)
      return yield* logged()
    }).pipe(Effect.provide(TestClock.layer()), Effect.provide(TestConsole.layer)),
  )
  assert.deepEqual(lines, expected)
})

test("timeouts: the recipe prints each outcome and exits", async () => {
  const run = await runScript(fromRoot("recipes/timeouts.ts"), [], { timeoutMs: 15_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, expected)
})
