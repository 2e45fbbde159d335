import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { TestConsole } from "effect/testing"
import { fastLoop, loopLayer } from "effect-asyncio/loop"
import { main } from "../recipes/loop-policy.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

const who = ["main", "child", "grandchild", "detached", "gather 0", "gather 1", "callLater"]

const linesOf = (program: Effect.Effect<void>) =>
  Effect.runPromise(
    Effect.flatMap(program, () => TestConsole.logLines).pipe(Effect.provide(TestConsole.layer)),
  ).then((lines) => lines.map(String))

// In this process the recipe's opt-in came after effect had loaded, so it did nothing (and says so).
test("loop-policy: with the layer, every fiber however forked runs on fastLoop", async () => {
  const lines = await linesOf(Effect.provide(main, loopLayer(fastLoop)))
  assert.match(lines[0], /^policy: fastLoop for the whole program/)
  assert.equal(lines[1], "async context captured at each suspension: yes")
  assert.deepEqual(lines.slice(2, -1), who.map((w) => `${w} runs on fastLoop`))
  assert.equal(lines.at(-1), "fastLoop's queue dispatched the fibers' tasks: yes")
})

test("loop-policy: without the layer, the same main runs on defaultLoop", async () => {
  const lines = await linesOf(main)
  assert.match(lines[0], /^policy: defaultLoop for the whole program/)
  assert.deepEqual(lines.slice(2, -1), who.map((w) => `${w} runs on defaultLoop`))
  assert.equal(lines.at(-1), "fastLoop's queue dispatched the fibers' tasks: no")
})

test("loop-policy: the recipe, run as a program, opts out of the async-context capture and runs everything on fastLoop", async () => {
  const run = await runScript(fromRoot("recipes/loop-policy.ts"), [], { timeoutMs: 15_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.match(
    run.lines[0],
    /^policy: fastLoop for the whole program, on (deno|bun) [\d.]+ \(host loop: (tokio \(Rust\)|Bun event loop \(uSockets\))\)$/,
  )
  assert.deepEqual(run.lines.slice(1), [
    "async context captured at each suspension: no",
    ...who.map((w) => `${w} runs on fastLoop`),
    "fastLoop's queue dispatched the fibers' tasks: yes",
  ])
})
