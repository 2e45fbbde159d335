import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { func, main } from "../recipes/coroutine-delegation.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

test("coroutine-delegation: yield* delegates and returns func's value", async () => {
  assert.equal(await Effect.runPromise(func), "Hello, world!")
  // Delegation runs func inside main's own fiber: no fork, one fiber id throughout.
  const ids = await Effect.runPromise(Effect.gen(function* () {
    const outer = yield* Effect.fiberId
    yield* main
    return [outer, yield* Effect.fiberId]
  }))
  assert.equal(ids[0], ids[1])
})

test("coroutine-delegation: the recipe prints what the Python prints and exits", async () => {
  const run = await runScript(fromRoot("recipes/coroutine-delegation.ts"), [], {
    timeoutMs: 15_000,
  })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, ["Hello, world!"])
})
