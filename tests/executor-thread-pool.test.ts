import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { TestConsole } from "effect/testing"
import { isWorkerFunction } from "effect-asyncio/executor"
import { func, main } from "../recipes/executor-thread-pool.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

test("executor-thread-pool: func is a worker function the worker can find", () => {
  assert.ok(isWorkerFunction(func))
  assert.equal(func.exportName, "func")
  assert.equal(func.module, new URL("../recipes/executor-thread-pool.ts", import.meta.url).href)
  // Called here, it runs here.
  assert.equal(func("Hello,", " world!"), "Hello, world!")
})

test("executor-thread-pool: main prints what func returned on a worker", async () => {
  const lines = await Effect.runPromise(
    Effect.gen(function* () {
      yield* main
      return (yield* TestConsole.logLines).map(String)
    }).pipe(Effect.provide(TestConsole.layer)),
  )
  assert.deepEqual(lines, ["Hello, world!"])
})

test("executor-thread-pool: the recipe prints Hello, world! and exits", async () => {
  const run = await runScript(fromRoot("recipes/executor-thread-pool.ts"), [], {
    timeoutMs: 20_000,
  })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, ["Hello, world!"])
})
