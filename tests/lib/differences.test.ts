/**
 * The differences from asyncio that the README's "Where effect-asyncio
 * differs from asyncio" lists and no other test file shows. Each test shows
 * our behaviour, and what to write to get asyncio's.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { type Duration, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { callLater, defaultLoop, fastLoop, type Loop, withLoop } from "effect-asyncio/loop"

/** Spins the CPU: a blocking stretch, so a 1 ms timer is overdue afterwards. */
const block = (ms: number) => {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // busy
  }
}

/** A timer due at 1 ms, made overdue by a 5 ms block; then a task becomes ready. Who runs first? */
const overdueTimerVersusReadyTask = (loop: Loop) =>
  Effect.runPromise(
    withLoop(loop)(Effect.scoped(Effect.gen(function* () {
      const seen: Array<string> = []
      yield* callLater("1 millis", () => seen.push("timer"))
      yield* Effect.yieldNow
      block(5)
      yield* Effect.forkChild(Effect.sync(() => seen.push("task")))
      // Real time here (what is compared is the host loop's phases), but no speed is asserted.
      yield* Effect.sleep(20)
      return seen
    }))),
  )

test("loop: on defaultLoop an overdue timer runs before a task that became ready earlier", async () => {
  // asyncio (and fastLoop) run the ready task first, then the timers that fell due.
  assert.deepEqual(await overdueTimerVersusReadyTask(defaultLoop), ["timer", "task"])
  // Instead, where the order matters: run on fastLoop (run(main, { loop: fastLoop })).
  assert.deepEqual(await overdueTimerVersusReadyTask(fastLoop), ["task", "timer"])
})

test("callLater: a bare number does not compile (seconds or millis?); a number cast to Duration.Input is milliseconds", async () => {
  // @ts-expect-error: a bare number is ambiguous: write "100 millis" or Duration.seconds(0.1)
  const refused = () => callLater(100, () => {})
  assert.equal(typeof refused, "function")
  const seen = await Effect.runPromise(
    Effect.scoped(Effect.gen(function* () {
      const seen: Array<string> = []
      // Effect's convention, chosen explicitly: a number is milliseconds (asyncio: seconds).
      yield* callLater(100 as Duration.Input, () => seen.push("100 ms"))
      yield* callLater("0.05 seconds", () => seen.push("0.05 s"))
      const fiber = yield* Effect.forkChild(TestClock.adjust(100))
      yield* Fiber.join(fiber)
      return seen
    })).pipe(Effect.provide(TestClock.layer())),
  )
  assert.deepEqual(seen, ["0.05 s", "100 ms"])
})
