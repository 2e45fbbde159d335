import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { blockingSleep, heartbeatWhile } from "../recipes/blocking-call.ts"
import { fromRoot, runScript } from "./_support.ts"

test("blocking-call: blockingSleep holds the thread for the time asked", () => {
  const started = performance.now()
  assert.equal(blockingSleep(60), 60)
  assert.ok(performance.now() - started >= 55)
})

test("blocking-call: a non-blocking wait leaves the heartbeat on time (TestClock)", async () => {
  const lateness = await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(heartbeatWhile(Effect.sleep("200 millis")))
      for (let i = 0; i < 30; i++) yield* TestClock.adjust("10 millis")
      return yield* Fiber.join(fiber)
    }).pipe(Effect.provide(TestClock.layer())),
  )
  assert.equal(lateness, 0)
})

test("blocking-call: a blocking wait delays the heartbeat by about the wait", async () => {
  const lateness = await Effect.runPromise(heartbeatWhile(Effect.sync(() => blockingSleep(150))))
  assert.ok(lateness >= 120, `heartbeat lateness ${lateness} ms`)
})

const latenessOf = (lines: ReadonlyArray<string>, name: string): number => {
  const line = lines.find((l) => l.startsWith(name))
  assert.ok(line, `no line for ${name} in:\n${lines.join("\n")}`)
  return Number(line.match(/worst heartbeat lateness:\s+([\d.]+) ms/)?.[1])
}

test("blocking-call: the recipe shows the lesson and exits", async () => {
  const run = await runScript(fromRoot("recipes/blocking-call.ts"), [], { timeoutMs: 30_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.lines[0], "a heartbeat ticks every 10 ms while another fiber waits 200 ms")
  const nonBlocking = latenessOf(run.lines, "Effect.sleep (non-blocking)")
  const blocking = latenessOf(run.lines, "Atomics.wait (blocking)")
  const inExecutor = latenessOf(run.lines, "Atomics.wait in the executor")
  // A blocked thread delays the heartbeat by the whole 200 ms wait; a wait that does not block
  // cannot, however busy the machine (which only adds to every figure).
  assert.ok(blocking >= 150, `blocking lateness ${blocking} ms`)
  assert.ok(nonBlocking < Math.min(blocking, 200), `non-blocking lateness ${nonBlocking} ms`)
  assert.ok(inExecutor < Math.min(blocking, 200), `executor lateness ${inExecutor} ms`)
  // Like asyncio's debug mode, the monitor warned about the blocked loop.
  assert.match(run.stdout + run.stderr, /event loop blocked: a 10 ms tick ran \d+\.\d ms late/)
})
