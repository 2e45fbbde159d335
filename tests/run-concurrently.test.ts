import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber } from "effect"
import { TestClock, TestConsole } from "effect/testing"
import { main, parseScale } from "../recipes/run-concurrently.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

// When each line is due, in playbook seconds: cor1 ticks every 1.5 s, cor2 every 1 s.
const dueAt = (line: string): number => {
  const [name, step] = line.split(" ")
  if (step === "start") return 0
  return (Number(step) + 1) * (name === "cor1" ? 1.5 : 1)
}
const expectedLines = [
  "cor1 start",
  "cor2 start",
  ...Array.from({ length: 10 }, (_, i) => `cor1 ${i}`),
  ...Array.from({ length: 15 }, (_, i) => `cor2 ${i}`),
]

/** The lines are the expected ones, each once, in the order they fall due (ties may swap). */
const assertInterleaving = (lines: ReadonlyArray<string>) => {
  assert.deepEqual([...lines].sort(), [...expectedLines].sort())
  for (let i = 1; i < lines.length; i++) {
    assert.ok(
      dueAt(lines[i - 1]) <= dueAt(lines[i]),
      `"${lines[i - 1]}" (due ${dueAt(lines[i - 1])} s) printed before "${lines[i]}" (due ${
        dueAt(lines[i])
      } s)`,
    )
  }
}

test("run-concurrently: interleaves on the playbook's clock (TestClock, no real sleeps)", async () => {
  const lines = await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(main(1))
      // At 14.9 s cor2 still has one step to go: the two ran concurrently, not one after the other.
      yield* TestClock.adjust("14900 millis")
      assert.equal(fiber.pollUnsafe(), undefined)
      yield* TestClock.adjust("100 millis")
      const { done, pending } = yield* Fiber.join(fiber)
      assert.equal(done.length, 2)
      assert.equal(pending.length, 0)
      return (yield* TestConsole.logLines).map(String)
    }).pipe(Effect.provide(TestClock.layer()), Effect.provide(TestConsole.layer)),
  )
  assertInterleaving(lines)
})

test("run-concurrently: --scale is parsed and checked", () => {
  assert.equal(parseScale([]), 1)
  assert.equal(parseScale(["--scale", "0.05"]), 0.05)
  assert.throws(() => parseScale(["--scale", "0"]), /positive number/)
  assert.throws(() => parseScale(["--scale", "fast"]), /positive number/)
})

test("run-concurrently: the recipe prints every line, the two coroutines interleaved, and exits", async () => {
  const run = await runScript(fromRoot("recipes/run-concurrently.ts"), ["--scale", "0.2"], {
    timeoutMs: 20_000,
  })
  assert.equal(run.code, 0, run.stderr)
  // Real sleeps on a busy machine drift (each step sleeps after the last one woke), so the exact
  // order on the playbook's clock is the TestClock test's job. What holds under any load: each
  // coroutine's lines in order, both started first, and cor2 ticking before cor1 is done.
  assert.deepEqual([...run.lines].sort(), [...expectedLines].sort())
  assert.deepEqual(run.lines.slice(0, 2).sort(), ["cor1 start", "cor2 start"])
  for (const name of ["cor1", "cor2"]) {
    const own = run.lines.filter((line) => line.startsWith(`${name} `)).slice(1)
    assert.deepEqual(own, own.map((_, i) => `${name} ${i}`), `${name} in order`)
  }
  assert.ok(run.lines.indexOf("cor2 0") < run.lines.indexOf("cor1 9"), run.stdout)
})
