/**
 * shield against CPython 3.11's asyncio.shield: each scenario of
 * tests/fixtures/asyncio/shield.py is written here with the lib (on
 * TestClock, under a running loop) and must print the same lines; one test
 * checks that CPython prints them too.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { Cause, Effect, Exit, Fiber } from "effect"
import { callLater } from "effect-asyncio/loop"
import { shield } from "effect-asyncio/shield"
import { createTask, NoRunningLoopError } from "effect-asyncio/task"
import { cpythonLines, skipCPython } from "../fixtures/asyncio/cpython.ts"
import { type Say, scenarioLines } from "../fixtures/asyncio/scenario-lines.ts"

const lines = (scenario: (say: Say) => Effect.Effect<unknown, unknown>) =>
  scenarioLines(scenario, { loop: true })

const interrupted = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)

const commit = (say: Say) =>
  Effect.sleep("200 millis").pipe(Effect.andThen(say("committed")), Effect.as("ok"))

const scenarios: Record<string, {
  readonly what: string
  readonly expected: ReadonlyArray<string>
  readonly run: (say: Say) => Effect.Effect<unknown, unknown>
}> = {
  caller_cancelled_inner_goes_on: {
    what: "the caller is cancelled at once; the shielded work goes on to its end",
    expected: ["caller cancelled", "caller sees CancelledError", "committed", "main done"],
    run: (say) =>
      Effect.gen(function* () {
        const caller = yield* Effect.forkChild(
          shield(commit(say)).pipe(Effect.onInterrupt(() => say("caller cancelled"))),
        )
        yield* Effect.sleep("100 millis")
        const exit = yield* Fiber.interrupt(caller).pipe(Effect.andThen(Fiber.await(caller)))
        if (interrupted(exit)) yield* say("caller sees CancelledError")
        yield* Effect.sleep("200 millis")
        yield* say("main done")
      }),
  },
  inner_failure_reaches_the_caller: {
    what: "the shielded work's failure reaches the caller",
    expected: ["caller sees ValueError(inner)"],
    run: (say) =>
      shield(Effect.sleep("100 millis").pipe(Effect.andThen(Effect.fail("inner")))).pipe(
        Effect.catch((error) => say(`caller sees ValueError(${error})`)),
      ),
  },
  inner_cancelled_cancels_the_caller: {
    what: "a shielded task cancelled on its own interrupts the caller",
    expected: ["caller sees CancelledError"],
    run: (say) =>
      Effect.scoped(Effect.gen(function* () {
        const inner = yield* createTask(commit(say))
        yield* callLater("100 millis", inner.cancel)
        const exit = yield* Effect.exit(shield(inner))
        if (interrupted(exit)) yield* say("caller sees CancelledError")
      })),
  },
}

for (const [name, scenario] of Object.entries(scenarios)) {
  test(`shield: ${scenario.what} (CPython 3.11 asyncio.shield, shield.py ${name})`, async () => {
    assert.deepEqual(await lines(scenario.run), scenario.expected)
  })
}

test("shield: CPython 3.11 prints the same lines for every scenario", { skip: skipCPython }, () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    assert.deepEqual(cpythonLines("shield", name), scenario.expected, name)
  }
})

test("shield: with no running loop an effect dies with NoRunningLoopError", async () => {
  const exit = await Effect.runPromise(Effect.exit(shield(Effect.void)))
  assert.ok(Exit.isFailure(exit))
  const reason = exit.cause.reasons[0]
  assert.ok(reason._tag === "Die" && reason.defect instanceof NoRunningLoopError)
})
