/**
 * timeout/timeoutAt against CPython 3.11's asyncio.timeout/timeout_at: each
 * scenario of tests/fixtures/asyncio/timeout.py is written here with the lib
 * (on TestClock, the same delays) and must print the same lines; one test
 * runs the Python scenarios and checks that CPython prints them too.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { Cause, type Duration, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { time } from "effect-asyncio/loop"
import { timeout, timeoutAt, TimeoutStateError } from "effect-asyncio/timeout"
import { cpythonLines, skipCPython } from "../fixtures/asyncio/cpython.ts"
import { type Say, scenarioLines } from "../fixtures/asyncio/scenario-lines.ts"

const lines = (scenario: (say: Say) => Effect.Effect<unknown, unknown>) =>
  scenarioLines(scenario, { loop: false })

const py = (value: boolean | null) => value === null ? "None" : value ? "True" : "False"
const sleep = (seconds: number) => Effect.sleep(`${seconds * 1000} millis`)

const scenarios: Record<string, {
  readonly what: string
  readonly expected: ReadonlyArray<string>
  readonly run: (say: Say) => Effect.Effect<unknown, unknown>
}> = {
  expires_after_finalizers: {
    what: "at the deadline the block is cancelled, its finalizers run, then TimeoutError",
    expected: ["block finalizer", "TimeoutError, expired True"],
    run: (say) =>
      Effect.gen(function* () {
        let expired = () => false
        yield* timeout("100 millis", (cm) => {
          expired = () => cm.expired()
          return sleep(10).pipe(Effect.ensuring(say("block finalizer")))
        }).pipe(
          Effect.catchTag("TimeoutError", () => say(`TimeoutError, expired ${py(expired())}`)),
        )
      }),
  },
  in_time: {
    what: "a block that ends in time returns its result; expired() is false",
    expected: ["in time, expired False"],
    run: (say) =>
      Effect.gen(function* () {
        const expired = yield* timeout("1 second", (cm) => Effect.as(sleep(0.1), cm))
        yield* say(`in time, expired ${py(expired.expired())}`)
      }),
  },
  outer_cancel_passes_through: {
    what: "an interruption from outside passes through, not as TimeoutError",
    expected: ["CancelledError, not TimeoutError"],
    run: (say) =>
      Effect.gen(function* () {
        const task = yield* Effect.forkChild(timeout("10 seconds", sleep(10)))
        yield* sleep(0.1)
        const exit = yield* Fiber.interrupt(task).pipe(Effect.andThen(Fiber.await(task)))
        if (Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) {
          yield* say("CancelledError, not TimeoutError")
        }
      }),
  },
  reschedule_from_none: {
    what: "timeout(null) has no deadline until reschedule sets one",
    expected: ["when None", "when set True", "TimeoutError, expired True"],
    run: (say) =>
      Effect.gen(function* () {
        let expired = () => false
        yield* timeout(null, (cm) =>
          Effect.gen(function* () {
            expired = () => cm.expired()
            yield* say(`when ${py(cm.when() as null)}`)
            yield* cm.reschedule((yield* time) + 0.1)
            yield* say(`when set ${py(cm.when() !== null)}`)
            yield* sleep(10)
          })).pipe(
            Effect.catchTag("TimeoutError", () => say(`TimeoutError, expired ${py(expired())}`)),
          )
      }),
  },
  reschedule_to_none: {
    what: "reschedule(null) removes the deadline",
    expected: ["no deadline, expired False"],
    run: (say) =>
      Effect.gen(function* () {
        const cm = yield* timeout("100 millis", (cm) =>
          Effect.gen(function* () {
            yield* cm.reschedule(null)
            yield* sleep(0.2)
            return cm
          }))
        yield* say(`no deadline, expired ${py(cm.expired())}`)
      }),
  },
  reschedule_after_exit: {
    what: "reschedule after the block ended is a defect that says so",
    expected: ["RuntimeError Cannot change state of finished Timeout"],
    run: (say) =>
      Effect.gen(function* () {
        const cm = yield* timeout("1 second", (cm) => Effect.succeed(cm))
        const exit = yield* Effect.exit(cm.reschedule(null))
        const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
        if (reason?._tag === "Die" && reason.defect instanceof TimeoutStateError) {
          // Ours: "reschedule: cannot change the state of a finished timeout".
          const state = reason.defect.message.match(/a (\w+) timeout/)?.[1]
          yield* say(`RuntimeError Cannot change state of ${state} Timeout`)
        }
      }),
  },
  past_deadline_needs_a_suspension: {
    what: "a deadline already past expires the block at its first suspension only",
    expected: [
      "body ran without suspending",
      "no TimeoutError",
      "TimeoutError at the first suspension",
    ],
    run: (say) =>
      Effect.gen(function* () {
        yield* timeoutAt((yield* time) - 1, say("body ran without suspending"))
        yield* say("no TimeoutError")
        yield* timeout("0 millis", Effect.andThen(Effect.yieldNow, say("not reached"))).pipe(
          Effect.catchTag("TimeoutError", () => say("TimeoutError at the first suspension")),
        )
      }),
  },
  nested_inner_expires: {
    what: "an inner deadline's TimeoutError can be caught inside the outer block",
    expected: ["inner TimeoutError, inner expired True", "outer done, outer expired False"],
    run: (say) =>
      Effect.gen(function* () {
        const outer = yield* timeout("1 second", (outer) =>
          Effect.gen(function* () {
            let inner = () => false
            yield* timeout("100 millis", (cm) => {
              inner = () => cm.expired()
              return sleep(10)
            }).pipe(
              Effect.catchTag(
                "TimeoutError",
                () => say(`inner TimeoutError, inner expired ${py(inner())}`),
              ),
            )
            yield* sleep(0.1)
            return outer
          }))
        yield* say(`outer done, outer expired ${py(outer.expired())}`)
      }),
  },
}

for (const [name, scenario] of Object.entries(scenarios)) {
  test(`timeout: ${scenario.what} (CPython 3.11 asyncio.timeout, timeout.py ${name})`, async () => {
    assert.deepEqual(await lines(scenario.run), scenario.expected)
  })
}

test(
  "timeout: CPython 3.11 prints the same lines for every scenario",
  { skip: skipCPython },
  () => {
    for (const [name, scenario] of Object.entries(scenarios)) {
      assert.deepEqual(cpythonLines("timeout", name), scenario.expected, name)
    }
  },
)

test("timeout: when() is in seconds of the loop clock; the error names the deadline", async () => {
  let seen: number | null = null
  const [when, now, error] = await Effect.runPromise(
    Effect.gen(function* () {
      const now = yield* time
      const fiber = yield* Effect.forkChild(
        Effect.flip(
          timeout(
            "1500 millis",
            (cm) => Effect.andThen(Effect.sync(() => (seen = cm.when())), Effect.never),
          ),
        ),
      )
      while (fiber.pollUnsafe() === undefined) yield* TestClock.adjust("100 millis")
      return [seen, now, yield* Fiber.join(fiber)] as const
    }).pipe(Effect.provide(TestClock.layer())),
  )
  assert.equal(when, now + 1.5)
  assert.equal(error._tag, "TimeoutError")
  assert.match(error.message, /^timeout: the deadline \(\d+\.\d{3} s of the loop clock\) passed$/)
})
test("timeout: a failure of the block passes through; NaN is a defect", async () => {
  const failed = await Effect.runPromise(Effect.flip(timeout("1 second", Effect.fail("boom"))))
  assert.equal(failed, "boom")
  const nan = await Effect.runPromise(
    Effect.exit(timeout<void, never, never, Duration.Input>(Number.NaN, Effect.void)),
  )
  assert.ok(Exit.isFailure(nan) && nan.cause.reasons[0]._tag === "Die")
})

test("timeout: the real clock: a suspended block expires and no timer is left behind", async () => {
  const started = performance.now()
  const error = await Effect.runPromise(Effect.flip(timeout("20 millis", Effect.never)))
  assert.equal(error._tag, "TimeoutError")
  assert.ok(performance.now() - started >= 19)
  // In time: the deadline is disarmed (the test would be held open by a 1 h timer otherwise).
  assert.equal(await Effect.runPromise(timeout("1 hour", Effect.as(Effect.sleep(1), "ok"))), "ok")
})
