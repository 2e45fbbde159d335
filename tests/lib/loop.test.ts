import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { callAt, callLater, callSoon, time } from "effect-asyncio/loop"

/** A scoped test program under a TestClock: time only moves when the test moves it. */
const runTest = <A, E>(program: Effect.Effect<A, E, import("effect").Scope.Scope>) =>
  Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(TestClock.layer())))

test("callLater: callbacks run in due order; equal times keep scheduling order", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const note = (s: string) => Effect.sync(() => seen.push(s))
    yield* callLater(30, note("30 ms"))
    yield* callLater(10, note("10 ms first"))
    yield* callLater("20 millis", note("20 ms"))
    yield* callLater(10, note("10 ms second"))
    yield* callSoon(note("soon"))
    yield* Effect.yieldNow
    assert.deepEqual(seen, ["soon"])
    yield* TestClock.adjust(9)
    assert.deepEqual(seen, ["soon"])
    yield* TestClock.adjust(1)
    assert.deepEqual(seen, ["soon", "10 ms first", "10 ms second"])
    yield* TestClock.adjust(20)
    assert.deepEqual(seen, ["soon", "10 ms first", "10 ms second", "20 ms", "30 ms"])
  }))
})

test("callLater: the handle knows when it is due; cancel stops it before it runs", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const start = yield* time
    const kept = yield* callLater(10, Effect.sync(() => seen.push("kept")))
    const dropped = yield* callLater(10, Effect.sync(() => seen.push("dropped")))
    assert.equal(kept.when, start + 10)
    yield* TestClock.adjust(5)
    yield* dropped.cancel
    assert.equal(dropped.cancelled(), true)
    assert.equal(kept.cancelled(), false)
    yield* TestClock.adjust(10)
    assert.deepEqual(seen, ["kept"])
  }))
})

test("callLater: cancel after the callback started has no effect (asyncio's rule)", async () => {
  await runTest(Effect.gen(function* () {
    let finished = false
    const handle = yield* callLater(
      10,
      Effect.andThen(Effect.sleep(10), Effect.sync(() => (finished = true))),
    )
    yield* TestClock.adjust(15) // started, now inside its own sleep
    yield* handle.cancel
    assert.equal(handle.cancelled(), false)
    yield* TestClock.adjust(5)
    assert.equal(finished, true)
  }))
})

test("callSoon: runs after the caller yields, and can be cancelled before that", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    yield* callSoon(Effect.sync(() => seen.push("a")))
    const b = yield* callSoon(Effect.sync(() => seen.push("b")))
    assert.deepEqual(seen, [])
    yield* b.cancel
    yield* Effect.yieldNow
    assert.deepEqual(seen, ["a"])
    assert.equal(b.cancelled(), true)
  }))
})

test("callAt: runs at an absolute clock time; a past time runs on the next turn", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const now = yield* time
    const at = yield* callAt(now + 25, Effect.sync(() => seen.push("at 25")))
    yield* callAt(now - 5, Effect.sync(() => seen.push("past")))
    assert.equal(at.when, now + 25)
    yield* Effect.yieldNow
    assert.deepEqual(seen, ["past"])
    yield* TestClock.adjust(24)
    assert.deepEqual(seen, ["past"])
    yield* TestClock.adjust(1)
    assert.deepEqual(seen, ["past", "at 25"])
  }))
})

test("callLater: a callback not yet run is dropped when the scope closes", async () => {
  let ran = false
  const fiber = await Effect.runPromise(
    Effect.gen(function* () {
      const inner = yield* Effect.forkChild(
        Effect.scoped(callLater(10, Effect.sync(() => (ran = true)))),
      )
      yield* Fiber.join(inner)
      yield* TestClock.adjust(20)
      return inner
    }).pipe(Effect.provide(TestClock.layer())),
  )
  assert.ok(fiber.pollUnsafe())
  assert.equal(ran, false)
})
