import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber } from "effect"
import { TestClock, TestConsole } from "effect/testing"
import { main } from "../recipes/producer-consumer.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

const expected = [
  "put 1",
  "put 2",
  "put 3",
  "producer waits: queue full (3)",
  "got 1",
  "put 4",
  "producer waits: queue full (3)",
  "got 2",
  "put 5",
  "producer waits: queue full (3)",
  "got 3",
  "put 6",
  "producer waits: queue full (3)",
  "got 4",
  "put 7",
  "producer waits: queue full (3)",
  "got 5",
  "put 8",
  "got 6",
  "got 7",
  "got 8",
  "consumer: queue shut down after 8 items",
]

test("producer-consumer: the producer goes at the consumer's pace once the queue is full (TestClock)", async () => {
  const lines = await Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(main())
      const seen = () => Effect.map(TestConsole.logLines, (lines) => lines.map(String))
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow
      // At 0 ms: three put, the consumer took one, so one more went in; then the queue is full.
      assert.deepEqual(yield* seen(), expected.slice(0, 7))
      yield* TestClock.adjust("100 millis") // the consumer takes the next: one more put
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow
      assert.deepEqual(yield* seen(), expected.slice(0, 10))
      yield* TestClock.adjust("700 millis")
      yield* Fiber.join(fiber)
      return yield* seen()
    }).pipe(Effect.provide(TestClock.layer()), Effect.provide(TestConsole.layer)),
  )
  assert.deepEqual(lines, expected)
})

test("producer-consumer: the recipe delivers all eight items and stops at shutdown", async () => {
  const run = await runScript(fromRoot("recipes/producer-consumer.ts"), [], { timeoutMs: 15_000 })
  assert.equal(run.code, 0, run.stderr)
  // The order of lines across the two fibers, and how often the producer found the queue
  // full, depend on the host's timers; what was put and got does not.
  const waits = (lines: Array<string>) => lines.filter((line) => line.startsWith("producer waits"))
  const rest = (lines: Array<string>) => lines.filter((line) => !line.startsWith("producer waits"))
  assert.deepEqual(rest(run.lines).sort(), rest(expected).sort())
  assert.ok(waits(run.lines).length >= 1, "the producer found the queue full at least once")
  assert.equal(run.lines.at(-1), "consumer: queue shut down after 8 items")
  const gets = run.lines.filter((line) => line.startsWith("got "))
  assert.deepEqual(gets, [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `got ${i}`))
})
