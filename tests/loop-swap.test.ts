import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { makeFastLoop, withLoop } from "effect-asyncio/loop"
import { pingPong } from "../recipes/loop-swap.ts"
import { spawnGather } from "../bench/_spawn-gather.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

test("loop-swap: pingPong makes n round trips through the two Events, on the loop it is given", async () => {
  const loop = makeFastLoop()
  await Effect.runPromise(withLoop(loop)(pingPong(1_000)))
  // Every wake-up is one task on the loop (the Latch's batch flush): at least 2 per round trip.
  assert.ok(loop.scheduler.stats.tasks >= 1_998, `${loop.scheduler.stats.tasks} tasks`)
})

test("loop-swap: spawnGather returns the indices in order", async () => {
  assert.deepEqual(
    await Effect.runPromise(spawnGather(100)),
    Array.from({ length: 100 }, (_, i) => i),
  )
})

test("loop-swap: the recipe prints what it swapped, what it did not, and where the timings are", async () => {
  const run = await runScript(fromRoot("recipes/loop-swap.ts"), [], { timeoutMs: 30_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.lines.length, 5, run.stdout)
  assert.match(run.lines[0], /^before: defaultLoop, Effect MixedScheduler /)
  assert.match(run.lines[1], /^after: {2}fastLoop, effect-asyncio FastScheduler /)
  const dispatched = run.lines[2].match(
    /^1,000 ping-pong round trips on each; fastLoop's queue dispatched ([\d,]+) tasks$/,
  )
  assert.ok(dispatched, run.lines[2])
  assert.ok(Number(dispatched[1].replace(/,/g, "")) >= 1_998, run.lines[2])
  assert.match(
    run.lines[3],
    /^not swapped: the host loop, (tokio \(Rust\)|Bun event loop \(uSockets\))$/,
  )
  assert.equal(run.lines[4], "timings: npm run bench -- loop-swap (bench/results/REPORT.md)")
  assert.doesNotMatch(
    run.stdout,
    /round trips\/s|µs\/task|× faster/,
    "the recipe prints no timings",
  )
})
