/**
 * taskGroup against CPython 3.11's asyncio.TaskGroup: each scenario of
 * tests/fixtures/asyncio/task_group.py is written here with the lib (on
 * TestClock, the same delays) and must print the same lines; the last test
 * runs the Python scenarios and checks that CPython prints them too.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Exit, Fiber } from "effect"
import * as Event from "effect-asyncio/event"
import { taskGroup, TaskGroupError, TaskGroupStateError } from "effect-asyncio/task-group"
import { cpythonLines, skipCPython } from "../fixtures/asyncio/cpython.ts"
import { type Say, scenarioLines } from "../fixtures/asyncio/scenario-lines.ts"

class ValueError extends Error {
  override readonly name = "ValueError"
}

const lines = (scenario: (say: Say) => Effect.Effect<unknown, unknown>) =>
  scenarioLines(scenario, { loop: true })

const sleeper = (say: Say, name: string, seconds: number, result?: unknown) =>
  Effect.sleep(`${seconds * 1000} millis`).pipe(
    Effect.andThen(say(`${name} done`)),
    Effect.as(result),
    Effect.onInterrupt(() => say(`${name} cancelled`)),
  )

const failing = (say: Say, name: string, seconds: number) =>
  Effect.sleep(`${seconds * 1000} millis`).pipe(
    Effect.andThen(say(`${name} fails`)),
    Effect.andThen(Effect.fail(new ValueError(name))),
  )

/** Python's describe(): nested lists of `Name(message)`. */
const describe = (group: TaskGroupError): string =>
  `[${
    group.errors.map((e) =>
      e instanceof TaskGroupError ? describe(e) : `${(e as Error).name}(${(e as Error).message})`
    ).join(", ")
  }]`

const reportGroup = (say: Say) => <A>(group: Effect.Effect<A, TaskGroupError>) =>
  Effect.catch(group, (error) => say(`group ${describe(error)}`))

const scenarios: Record<string, {
  readonly what: string
  readonly expected: ReadonlyArray<string>
  readonly run: (say: Say) => Effect.Effect<unknown, unknown>
}> = {
  waits_for_all: {
    what: "the group waits for every task; results are ready after it",
    expected: ["body done", "b done", "a done", "results 1 2"],
    run: (say) =>
      Effect.gen(function* () {
        const [a, b] = yield* taskGroup((tg) =>
          Effect.gen(function* () {
            const a = yield* tg.createTask(sleeper(say, "a", 0.2, 1))
            const b = yield* tg.createTask(sleeper(say, "b", 0.1, 2))
            yield* say("body done")
            return [a, b] as const
          })
        )
        yield* say(`results ${yield* Fiber.join(a)} ${yield* Fiber.join(b)}`)
      }),
  },
  first_failure_cancels_the_rest: {
    what: "the first failure cancels the other tasks, then the body; one error lists it",
    expected: ["bad fails", "slow cancelled", "body cancelled", "group [ValueError(bad)]"],
    run: (say) =>
      taskGroup((tg) =>
        Effect.gen(function* () {
          yield* tg.createTask(sleeper(say, "slow", 1))
          yield* tg.createTask(failing(say, "bad", 0.1))
          yield* Effect.sleep("1 second").pipe(Effect.onInterrupt(() => say("body cancelled")))
        })
      ).pipe(reportGroup(say)),
  },
  failures_in_order: {
    what: "failures at the same time are all in the group, in order",
    expected: [
      "first fails",
      "second fails",
      "other cancelled",
      "group [ValueError(first), ValueError(second)]",
    ],
    // Both fail on the same loop turn, as asyncio's two 0.1 s timers do. (TestClock
    // wakes equal sleeps one turn apart, so here one gate opens at 0.1 s for both.)
    run: (say) =>
      Effect.gen(function* () {
        const gate = yield* Event.make
        const failAfterGate = (name: string) =>
          gate.wait.pipe(
            Effect.andThen(say(`${name} fails`)),
            Effect.andThen(Effect.fail(new ValueError(name))),
          )
        yield* taskGroup((tg) =>
          Effect.gen(function* () {
            yield* tg.createTask(failAfterGate("first"))
            yield* tg.createTask(failAfterGate("second"))
            yield* tg.createTask(sleeper(say, "other", 1))
            yield* tg.createTask(Effect.andThen(Effect.sleep("100 millis"), gate.set))
          })
        ).pipe(reportGroup(say))
      }),
  },
  body_failure_joins_the_group: {
    what: "the body's own failure cancels the tasks and is in the group",
    expected: ["child cancelled", "group [ValueError(body)]"],
    run: (say) =>
      taskGroup((tg) =>
        Effect.gen(function* () {
          yield* tg.createTask(sleeper(say, "child", 1))
          yield* Effect.sleep("100 millis")
          return yield* Effect.fail(new ValueError("body"))
        })
      ).pipe(reportGroup(say)),
  },
  caller_cancelled: {
    what: "cancelling the caller cancels the body and the tasks, and stays an interruption",
    expected: ["body cancelled", "child cancelled", "caller sees CancelledError"],
    run: (say) =>
      Effect.gen(function* () {
        const caller = yield* Effect.forkChild(taskGroup((tg) =>
          Effect.gen(function* () {
            yield* tg.createTask(sleeper(say, "child", 1))
            yield* sleeper(say, "body", 1)
          })
        ))
        yield* Effect.sleep("100 millis")
        const exit = yield* Fiber.interrupt(caller).pipe(Effect.andThen(Fiber.await(caller)))
        if (exit._tag === "Failure" && exit.cause.reasons.every((r) => r._tag === "Interrupt")) {
          yield* say("caller sees CancelledError")
        }
      }),
  },
  child_cancelled_alone: {
    what: "a task cancelled on its own is not a failure",
    expected: ["child cancelled", "other done", "group ok, child cancelled: True"],
    run: (say) =>
      Effect.gen(function* () {
        const child = yield* taskGroup((tg) =>
          Effect.gen(function* () {
            const child = yield* tg.createTask(sleeper(say, "child", 1))
            yield* tg.createTask(sleeper(say, "other", 0.2))
            yield* Effect.sleep("100 millis")
            yield* child.cancel
            return child
          })
        )
        const exit = child.pollUnsafe()!
        yield* say(`group ok, child cancelled: ${exit._tag === "Failure" ? "True" : "False"}`)
      }),
  },
  create_task_after_exit: {
    what: "createTask on a finished group is a defect that says so",
    expected: ["RuntimeError finished"],
    run: (say) =>
      Effect.gen(function* () {
        const tg = yield* taskGroup((tg) => Effect.succeed(tg))
        const exit = yield* Effect.exit(tg.createTask(sleeper(say, "late", 0)))
        if (exit._tag === "Failure") {
          const defect = exit.cause.reasons[0]
          const error = defect._tag === "Die" ? defect.defect as Error : undefined
          yield* say(`RuntimeError ${error?.message.split(" ").at(-1)}`)
        }
      }),
  },
  nested: {
    what: "groups nest: an inner group's error is one failure of the outer",
    expected: [
      "inner fails",
      "inner sibling cancelled",
      "outer child cancelled",
      "group [[ValueError(inner)]]",
    ],
    run: (say) =>
      taskGroup((outer) =>
        Effect.gen(function* () {
          yield* outer.createTask(sleeper(say, "outer child", 1))
          yield* outer.createTask(taskGroup((inner) =>
            Effect.gen(function* () {
              yield* inner.createTask(failing(say, "inner", 0.1))
              yield* inner.createTask(sleeper(say, "inner sibling", 1))
            })
          ))
        })
      ).pipe(reportGroup(say)),
  },
}

for (const [name, scenario] of Object.entries(scenarios)) {
  test(`taskGroup: ${scenario.what} (CPython 3.11 TaskGroup, task_group.py ${name})`, async () => {
    assert.deepEqual(await lines(scenario.run), scenario.expected)
  })
}

test(
  "taskGroup: CPython 3.11 prints the same lines for every scenario",
  { skip: skipCPython },
  () => {
    for (const [name, scenario] of Object.entries(scenarios)) {
      assert.deepEqual(cpythonLines("task_group", name), scenario.expected, name)
    }
  },
)

test("taskGroup: the error's message, errors and causes; the group's result is the body's", async () => {
  const error = await Effect.runPromise(
    Effect.flip(
      taskGroup((tg) =>
        Effect.andThen(tg.createTask(Effect.fail("a")), tg.createTask(Effect.die("b")))
      ),
    ),
  )
  assert.equal(error._tag, "TaskGroupError")
  assert.match(error.message, /^unhandled errors in a TaskGroup \(2 sub-exceptions\)$/)
  assert.deepEqual(error.errors, ["a", "b"])
  assert.equal(error.causes.length, 2)
  assert.equal(await Effect.runPromise(taskGroup(() => Effect.succeed(42))), 42)
})

test("taskGroup: createTask while the group is shutting down is a defect that says so", async () => {
  let late: Exit.Exit<unknown, unknown> | undefined
  const error = await Effect.runPromise(Effect.flip(taskGroup((tg) =>
    Effect.gen(function* () {
      yield* tg.createTask(Effect.fail("boom"))
      // The failure cancels the body; its finalizer tries to add a task.
      return yield* Effect.never.pipe(Effect.onInterrupt(() =>
        Effect.map(Effect.exit(tg.createTask(Effect.void)), (exit) => (late = exit))
      ))
    })
  )))
  assert.equal(error._tag, "TaskGroupError")
  assert.ok(late !== undefined && Exit.isFailure(late))
  const reason = late.cause.reasons[0]
  assert.ok(reason._tag === "Die" && reason.defect instanceof TaskGroupStateError)
  assert.equal(reason.defect.message, "createTask: TaskGroup is shutting down")
})
