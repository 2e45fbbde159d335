import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { TestConsole } from "effect/testing"
import { fastLoop, loopLayer } from "effect-asyncio/loop"
import { main } from "../recipes/loop-policy.ts"
import { fromRoot, runScript } from "./_support.ts"

const who = ["main", "child", "grandchild", "detached", "gather 0", "gather 1", "callLater"]

const linesOf = (program: Effect.Effect<void>) =>
  Effect.runPromise(
    Effect.flatMap(program, () => TestConsole.logLines).pipe(Effect.provide(TestConsole.layer)),
  ).then((lines) => lines.map(String))

test("loop-policy: with the layer, every fiber however forked runs on fastLoop", async () => {
  const lines = await linesOf(Effect.provide(main, loopLayer(fastLoop)))
  assert.match(lines[0], /^policy: fastLoop for the whole program/)
  assert.deepEqual(lines.slice(1, -1), who.map((w) => `${w} runs on fastLoop`))
  assert.equal(lines.at(-1), "fastLoop's queue dispatched the fibers' tasks: yes")
})

test("loop-policy: without the layer, the same main runs on defaultLoop", async () => {
  const lines = await linesOf(main)
  assert.match(lines[0], /^policy: defaultLoop for the whole program/)
  assert.deepEqual(lines.slice(1, -1), who.map((w) => `${w} runs on defaultLoop`))
  assert.equal(lines.at(-1), "fastLoop's queue dispatched the fibers' tasks: no")
})

test("loop-policy: the recipe prints the playbook-style report and exits", async () => {
  const run = await runScript(fromRoot("recipes/loop-policy.ts"), [], { timeoutMs: 15_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.match(
    run.lines[0],
    /^policy: fastLoop for the whole program, on (deno|bun) [\d.]+ \(host loop: (tokio \(Rust\)|Bun event loop \(uSockets\))\)$/,
  )
  assert.deepEqual(run.lines.slice(1), [
    ...who.map((w) => `${w} runs on fastLoop`),
    "fastLoop's queue dispatched the fibers' tasks: yes",
  ])
})
