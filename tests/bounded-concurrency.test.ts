import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber } from "effect"
import { TestClock, TestConsole } from "effect/testing"
import { main } from "../recipes/bounded-concurrency.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

test("bounded-concurrency: five at a time, four rounds of 100 ms, both ways (TestClock)", async () => {
  const lines = await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(main)
      yield* TestClock.adjust("399 millis")
      assert.deepEqual(yield* TestConsole.logLines, [], "the semaphore's 20 take four rounds")
      yield* TestClock.adjust("401 millis")
      yield* Fiber.join(fiber)
      return (yield* TestConsole.logLines).map(String)
    }).pipe(Effect.provide(TestClock.layer()), Effect.provide(TestConsole.layer)),
  )
  assert.deepEqual(lines, [
    "semaphore: 20 fetches, at most 5 at once, 400 ms",
    "forEach: 20 fetches, at most 5 at once, 400 ms",
  ])
})

test("bounded-concurrency: the recipe prints both limits and exits", async () => {
  const run = await runScript(fromRoot("recipes/bounded-concurrency.ts"), [], { timeoutMs: 15_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.lines.length, 2)
  assert.match(run.lines[0], /^semaphore: 20 fetches, at most 5 at once, \d+ ms$/)
  assert.match(run.lines[1], /^forEach: 20 fetches, at most 5 at once, \d+ ms$/)
})
