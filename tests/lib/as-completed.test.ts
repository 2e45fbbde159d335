/**
 * asCompleted against CPython 3.11's asyncio.as_completed: each scenario of
 * tests/fixtures/asyncio/as_completed.py is written here with the lib (on
 * TestClock, under a running loop) and must print the same lines; one test
 * checks that CPython prints them too. The Stream form is checked beside.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { type Duration, Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { asCompleted, asCompletedStream } from "effect-asyncio/as-completed"
import { withRunningLoop } from "effect-asyncio/task"
import { cpythonLines, skipCPython } from "../fixtures/asyncio/cpython.ts"

type Say = (line: string) => Effect.Effect<void>

const onTestClock = <A>(effect: Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(withRunningLoop(effect))
      while (fiber.pollUnsafe() === undefined) yield* TestClock.adjust("10 millis")
      return yield* Fiber.join(fiber)
    }).pipe(Effect.provide(TestClock.layer())),
  )

const lines = (scenario: (say: Say) => Effect.Effect<unknown, unknown>) => {
  const seen: Array<string> = []
  return onTestClock(scenario((line) => Effect.sync(() => void seen.push(line)))).then(() => seen)
}

const fetch = (say: Say, name: string, seconds: number) =>
  Effect.sleep(`${seconds * 1000} millis`).pipe(
    Effect.andThen(say(`${name} finished`)),
    Effect.as(name),
  )

const scenarios: Record<string, {
  readonly what: string
  readonly expected: ReadonlyArray<string>
  readonly run: (say: Say) => Effect.Effect<unknown, unknown>
}> = {
  completion_order: {
    what: "results come in the order the tasks finish",
    expected: ["b finished", "got b", "c finished", "got c", "a finished", "got a"],
    run: (say) =>
      Effect.gen(function* () {
        const all = [fetch(say, "a", 0.3), fetch(say, "b", 0.1), fetch(say, "c", 0.2)]
        for (const next of yield* asCompleted(all)) yield* say(`got ${yield* next}`)
      }),
  },
  timeout_leaves_the_rest_running: {
    what: "past the timeout, TimeoutError; the tasks still running go on",
    expected: ["b finished", "got b", "TimeoutError", "a finished", "c finished", "main done"],
    run: (say) =>
      Effect.gen(function* () {
        const all = [fetch(say, "a", 0.3), fetch(say, "b", 0.1), fetch(say, "c", 0.5)]
        yield* Effect.gen(function* () {
          for (const next of yield* asCompleted(all, { timeout: "200 millis" })) {
            yield* say(`got ${yield* next}`)
          }
        }).pipe(Effect.catchTag("TimeoutError", () => say("TimeoutError")))
        yield* Effect.sleep("500 millis")
        yield* say("main done")
      }),
  },
  failure_at_its_turn: {
    what: "a failure fails the effect of its turn; the others are still there",
    expected: ["a finished", "got a", "ValueError(b)", "c finished", "got c"],
    run: (say) =>
      Effect.gen(function* () {
        const fails = Effect.sleep("200 millis").pipe(Effect.andThen(Effect.fail("b")))
        for (
          const next of yield* asCompleted([fetch(say, "a", 0.1), fails, fetch(say, "c", 0.3)])
        ) {
          yield* next.pipe(
            Effect.flatMap((name) => say(`got ${name}`)),
            Effect.catch((error) => say(`ValueError(${error})`)),
          )
        }
      }),
  },
}

for (const [name, scenario] of Object.entries(scenarios)) {
  test(`asCompleted: ${scenario.what} (CPython 3.11 asyncio.as_completed, as_completed.py ${name})`, async () => {
    assert.deepEqual(await lines(scenario.run), scenario.expected)
  })
}

test(
  "asCompleted: CPython 3.11 prints the same lines for every scenario",
  { skip: skipCPython },
  () => {
    for (const [name, scenario] of Object.entries(scenarios)) {
      assert.deepEqual(cpythonLines("as_completed", name), scenario.expected, name)
    }
  },
)

const nap = (name: string, millis: number) => Effect.as(Effect.sleep(`${millis} millis`), name)

test("asCompletedStream: results in completion order; the first failure or the timeout ends it", async () => {
  const order = await onTestClock(
    Stream.runCollect(asCompletedStream([nap("a", 300), nap("b", 100), nap("c", 200)])),
  )
  assert.deepEqual(order, ["b", "c", "a"])
  const failed = await onTestClock(Effect.exit(Stream.runCollect(
    asCompletedStream([nap("a", 300), Effect.fail("boom").pipe(Effect.delay("100 millis"))]),
  )))
  assert.ok(Exit.isFailure(failed))
  const timedOut = await onTestClock(Effect.flip(Stream.runCollect(
    asCompletedStream([nap("a", 300), nap("b", 100)], { timeout: "200 millis" }),
  )))
  assert.equal(timedOut._tag, "TimeoutError")
  assert.deepEqual(await onTestClock(Stream.runCollect(asCompletedStream([]))), [])
})

test("asCompleted: no tasks gives no effects; a NaN timeout is a defect", async () => {
  assert.deepEqual(await onTestClock(asCompleted([])), [])
  const nan = await Effect.runPromise(
    Effect.exit(
      asCompleted<void, never, never, Duration.Input>([Effect.void], { timeout: Number.NaN }),
    ),
  )
  assert.ok(Exit.isFailure(nan) && nan.cause.reasons[0]._tag === "Die")
})

test("asCompleted: outside a running loop the tasks are children of the caller (real clock)", async () => {
  const names = await Effect.runPromise(Effect.gen(function* () {
    const seen: Array<string> = []
    for (const next of yield* asCompleted([nap("slow", 20), nap("fast", 1)])) seen.push(yield* next)
    return seen
  }))
  assert.deepEqual(names, ["fast", "slow"])
})
