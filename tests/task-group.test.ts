import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber } from "effect"
import { TestClock, TestConsole } from "effect/testing"
import { main } from "../recipes/task-group.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

const expected = [
  "fetch users started",
  "fetch orders started",
  "fetch orders done",
  "fetch users done",
  "Both tasks have completed now: 3 users, 7 orders",
  "upload started",
  "index started",
  "upload failed: disk full",
  "index cancelled",
  "TaskGroupError: unhandled errors in a TaskGroup (1 sub-exception): disk full",
]

test("task-group: the group waits for both tasks; a failure cancels the sibling at once (TestClock)", async () => {
  const lines = await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(main)
      yield* TestClock.adjust("99 millis")
      // At 99 ms the first group still waits for "fetch users" (due at 100 ms).
      assert.deepEqual((yield* TestConsole.logLines).map(String), expected.slice(0, 3))
      yield* TestClock.adjust("1 millis")
      // The upload fails at 150 ms; index (due at 300 ms) is cancelled then, not later.
      yield* TestClock.adjust("50 millis")
      yield* Fiber.join(fiber)
      return (yield* TestConsole.logLines).map(String)
    }).pipe(Effect.provide(TestClock.layer()), Effect.provide(TestConsole.layer)),
  )
  assert.deepEqual(lines, expected)
})

test("task-group: the recipe prints the group's story and exits", async () => {
  const run = await runScript(fromRoot("recipes/task-group.ts"), [], { timeoutMs: 15_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, expected)
})
