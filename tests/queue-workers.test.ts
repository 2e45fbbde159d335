import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber } from "effect"
import { TestClock, TestConsole } from "effect/testing"
import { withRunningLoop } from "effect-asyncio/task"
import { main } from "../recipes/queue-workers.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

test("queue-workers: three workers share the jobs; join waits for the last taskDone (TestClock)", async () => {
  const lines = await Effect.runPromise(
    Effect.gen(function* () {
      // worker-0 takes 0.5; worker-1 takes 0.2, then 0.1, then 0.4; worker-2 takes 0.35.
      const fiber = yield* Effect.forkChild(withRunningLoop(main([0.5, 0.2, 0.35, 0.1, 0.4])))
      yield* TestClock.adjust("699 millis")
      assert.equal(fiber.pollUnsafe(), undefined, "join waits for the job that ends at 0.7 s")
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      return (yield* TestConsole.logLines).map(String)
    }).pipe(Effect.provide(TestClock.layer()), Effect.provide(TestConsole.layer)),
  )
  assert.deepEqual(lines, [
    "worker-1 has slept for 0.20 seconds",
    "worker-1 has slept for 0.10 seconds",
    "worker-2 has slept for 0.35 seconds",
    "worker-0 has slept for 0.50 seconds",
    "worker-1 has slept for 0.40 seconds",
    "====",
    "3 workers slept in parallel for 0.70 seconds",
    "total expected sleep time: 1.55 seconds",
  ])
})

test("queue-workers: the recipe runs twenty random jobs on three workers and exits", async () => {
  const run = await runScript(fromRoot("recipes/queue-workers.ts"), [], { timeoutMs: 30_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.lines.length, 23)
  const slept = run.lines.slice(0, 20)
  for (const line of slept) assert.match(line, /^worker-[012] has slept for \d\.\d\d seconds$/)
  assert.equal(run.lines[20], "====")
  const parallel = Number(
    run.lines[21].match(/^3 workers slept in parallel for (\d+\.\d\d) seconds$/)?.[1],
  )
  const total = Number(run.lines[22].match(/^total expected sleep time: (\d+\.\d\d) seconds$/)?.[1])
  const sum = slept.reduce((s, line) => s + Number(line.match(/(\d\.\d\d) seconds/)![1]), 0)
  assert.ok(Math.abs(total - sum) < 0.1, `total ${total} is the sum of the sleeps ${sum}`)
  // Three sleep at once: never faster than a third of the total (no speed is asserted).
  assert.ok(parallel >= total / 3 - 0.05, `${parallel} s for ${total} s of sleep on 3 workers`)
})
