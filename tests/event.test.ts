import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber } from "effect"
import { TestClock, TestConsole } from "effect/testing"
import { main } from "../recipes/event.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

const expected = [
  "Consumer A waiting",
  "Consumer B waiting",
  "EVENT SET",
  "Consumer A triggered",
  "Consumer B triggered",
]

test("event: consumers wait until the trigger fires at 100 ms (TestClock)", async () => {
  const lines = await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(main(100))
      yield* TestClock.adjust(99)
      assert.deepEqual((yield* TestConsole.logLines).map(String), expected.slice(0, 2))
      assert.equal(fiber.pollUnsafe(), undefined)
      yield* TestClock.adjust(1)
      const { done, pending } = yield* Fiber.join(fiber)
      assert.equal(done.length, 2)
      assert.equal(pending.length, 0)
      return (yield* TestConsole.logLines).map(String)
    }).pipe(Effect.provide(TestClock.layer()), Effect.provide(TestConsole.layer)),
  )
  assert.deepEqual(lines, expected)
})

test("event: the recipe prints the playbook's order and exits", async () => {
  const run = await runScript(fromRoot("recipes/event.ts"), [], { timeoutMs: 15_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, expected)
  assert.ok(run.ms >= 100, `the trigger is due at 100 ms, the run took ${run.ms} ms`)
})
