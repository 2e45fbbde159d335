import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { func } from "../recipes/coroutine-await.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

test("coroutine-await: func returns the greeting", async () => {
  assert.equal(await Effect.runPromise(func()), "Hello, world!")
})

test("coroutine-await: the recipe prints what the Python prints and exits", async () => {
  const run = await runScript(fromRoot("recipes/coroutine-await.ts"), [], { timeoutMs: 15_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, ["Hello, world!"])
})
