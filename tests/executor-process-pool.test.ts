import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { TestConsole } from "effect/testing"
import { describe, func, greet, Greeter, main } from "../recipes/executor-process-pool.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

const expected = [
  "Hello, world!",
  "NotCloneableError: argument 0 of executor-process-pool.ts#describe: an anonymous function could not be cloned (a function)",
  "NotCloneableError: argument 0 of executor-process-pool.ts#describe: function bound greet could not be cloned (a function)",
  'a Greeter arrives as object {"name":"world"} (greet: undefined)',
  "Hi, world!",
]

test("executor-process-pool: the tasks, called here", () => {
  assert.equal(func("Hello,", " world!"), "Hello, world!")
  assert.equal(greet("world", "Hi"), "Hi, world!")
  // Here the instance still has its method; in the child it will not.
  assert.equal(describe(new Greeter("w")), 'object {"name":"w"} (greet: function)')
})

test("executor-process-pool: main shows what crosses to a child process and what does not", async () => {
  const lines = await Effect.runPromise(
    Effect.gen(function* () {
      yield* main
      return (yield* TestConsole.logLines).map(String)
    }).pipe(Effect.provide(TestConsole.layer)),
  )
  assert.deepEqual(lines, expected)
})

test("executor-process-pool: the recipe prints its lines and exits", async () => {
  const run = await runScript(fromRoot("recipes/executor-process-pool.ts"), [], {
    timeoutMs: 20_000,
  })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, expected)
})
