import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { TestConsole } from "effect/testing"
import { DefaultExecutor } from "effect-asyncio/executor"
import { defaultExecutor, func, main } from "../recipes/executor-default.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

const printed = <E>(program: Effect.Effect<void, E>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      yield* program
      return (yield* TestConsole.logLines).map(String)
    }).pipe(Effect.provide(TestConsole.layer)),
  )

test("executor-default: func joins its arguments", () => {
  assert.equal(func("Hello,", " world!"), "Hello, world!")
})

test("executor-default: main runs on the built-in default executor, a thread pool", async () => {
  assert.deepEqual(await printed(main), ["Hello, world!"])
  assert.equal((await Effect.runPromise(Effect.service(DefaultExecutor))).kind, "thread")
})

test("executor-default: the program's layer makes a process pool the default", async () => {
  const kind = await Effect.runPromise(
    Effect.service(DefaultExecutor).pipe(
      Effect.map((executor) => executor.kind),
      Effect.provide(defaultExecutor),
    ),
  )
  assert.equal(kind, "process")
  assert.deepEqual(await printed(main.pipe(Effect.provide(defaultExecutor))), ["Hello, world!"])
})

test("executor-default: the recipe prints Hello, world! and exits", async () => {
  const run = await runScript(fromRoot("recipes/executor-default.ts"), [], { timeoutMs: 20_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, ["Hello, world!"])
})
