import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { makeFastLoop } from "effect-asyncio/loop"
import { parseN, pingPong, spawnGather, timeOn } from "../recipes/loop-swap.ts"
import { fromRoot, runScript } from "./_support.ts"

test("loop-swap: pingPong makes n round trips through the two Events", async () => {
  const loop = makeFastLoop()
  await Effect.runPromise(timeOn(loop, pingPong(1_000)))
  // Every wake-up is one task on the loop (the Latch's batch flush): at least 2 per round trip.
  assert.ok(loop.scheduler.stats.tasks >= 2_000, `${loop.scheduler.stats.tasks} tasks`)
})

test("loop-swap: spawnGather returns the indices in order", async () => {
  assert.deepEqual(
    await Effect.runPromise(spawnGather(100)),
    Array.from({ length: 100 }, (_, i) => i),
  )
})

test("loop-swap: timeOn runs the workload on the given loop and returns a duration", async () => {
  const loop = makeFastLoop()
  const ms = await Effect.runPromise(timeOn(loop, spawnGather(500)))
  assert.ok(ms >= 0)
  assert.ok(loop.scheduler.stats.tasks >= 500)
})

test("loop-swap: --n is parsed and checked", () => {
  assert.equal(parseN([]), 20_000)
  assert.equal(parseN(["--n", "500"]), 500)
  assert.throws(() => parseN(["--n", "0"]), /positive integer/)
  assert.throws(() => parseN(["--n", "lots"]), /positive integer/)
})

test("loop-swap: the recipe prints both loops' timings and the ratio, and exits", async () => {
  const run = await runScript(fromRoot("recipes/loop-swap.ts"), ["--n", "2000"], {
    timeoutMs: 30_000,
  })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.lines.length, 4, run.stdout)
  assert.match(
    run.lines[0],
    /^workload: 2,000 ping-pong round trips .* spawn-gather of 2,000 tasks$/,
  )
  const host = /on (deno|bun) [\d.]+ \(host loop: (tokio \(Rust\)|Bun event loop \(uSockets\))\)/
  assert.match(
    run.lines[1],
    new RegExp(
      `^defaultLoop ${host.source}: ping-pong [\\d,]+ round trips/s, spawn-gather [\\d.]+ µs/task$`,
    ),
  )
  assert.match(
    run.lines[2],
    new RegExp(
      `^fastLoop ${host.source}: ping-pong [\\d,]+ round trips/s, spawn-gather [\\d.]+ µs/task$`,
    ),
  )
  assert.match(
    run.lines[3],
    /^fastLoop vs defaultLoop: ping-pong [\d.]+× faster, spawn-gather [\d.]+× faster$/,
  )
})
