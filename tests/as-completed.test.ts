import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber, Random } from "effect"
import { TestClock, TestConsole } from "effect/testing"
import { withRunningLoop } from "effect-asyncio/task"
import { main } from "../recipes/as-completed.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

/**
 * The fetch lines' numbers and times; checks every fetch is there once and,
 * on TestClock, that the times come in order (with real timers a fetch due 1 ms
 * after another, but started a little earlier, may fire first).
 */
const check = (lines: ReadonlyArray<string>, inOrder: boolean) => {
  assert.equal(lines.length, 11, lines.join("\n"))
  assert.equal(lines[10], "all 10 fetches done")
  const fetches = lines.slice(0, 10).map((line) => {
    const match = line.match(/^fetch (\d+) finished after (\d+) ms$/)
    assert.ok(match, line)
    return { n: Number(match[1]), ms: Number(match[2]) }
  })
  assert.deepEqual(fetches.map((f) => f.n).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  for (let i = 1; inOrder && i < fetches.length; i++) {
    assert.ok(fetches[i - 1].ms <= fetches[i].ms, `printed in completion order: ${lines}`)
  }
  return fetches
}

test("as-completed: each fetch is printed at the moment it finishes (TestClock, seeded Random)", async () => {
  await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(withRunningLoop(main))
      for (let t = 0; t < 1000; t += 10) {
        yield* TestClock.adjust("10 millis")
        // Every fetch due by now is printed, and none that is not.
        const lines = (yield* TestConsole.logLines).map(String)
        for (const line of lines.slice(0, 10)) {
          const ms = Number(line.match(/after (\d+) ms/)?.[1])
          assert.ok(ms <= t + 10, `${line} printed at ${t + 10} ms`)
        }
      }
      yield* Fiber.join(fiber)
      const fetches = check((yield* TestConsole.logLines).map(String), true)
      assert.ok(fetches.some((f, i) => f.n !== i + 1), "not in list order (seed 7)")
    }).pipe(
      Random.withSeed(7),
      Effect.provide(TestClock.layer()),
      Effect.provide(TestConsole.layer),
    ),
  )
})

test("as-completed: the recipe prints each of the ten fetches once and exits", async () => {
  const run = await runScript(fromRoot("recipes/as-completed.ts"), [], { timeoutMs: 15_000 })
  assert.equal(run.code, 0, run.stderr)
  check(run.lines, false)
})
