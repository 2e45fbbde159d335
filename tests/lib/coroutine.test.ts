import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { Cause, type Duration, Effect, Exit, Fiber, Result } from "effect"
import { TestClock } from "effect/testing"
import {
  AsyncError,
  CancelledError,
  createTask,
  fromAsync,
  gather,
  NoRunningLoopError,
  wait,
  waitFor,
  withRunningLoop,
} from "effect-asyncio/coroutine"
import { withExceptionHandler } from "effect-asyncio/loop"
import { fromRoot, runScript, scriptCommand } from "../../scripts/support.ts"

/** Runs a test program under a TestClock: time only moves when the test moves it. */
const runTest = <A, E>(program: Effect.Effect<A, E>) =>
  Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())))

const after = <A>(ms: number, value: A) => Effect.as(Effect.sleep(ms), value)
const failAfter = (ms: number, error: string) =>
  Effect.andThen(Effect.sleep(ms), Effect.fail(error))

// --- gather -----------------------------------------------------------------

test("gather: results come back in input order, not completion order", async () => {
  const result = await runTest(Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(gather([after(30, "a"), after(10, "b"), after(20, "c")]))
    yield* TestClock.adjust(30)
    return yield* Fiber.join(fiber)
  }))
  assert.deepEqual(result, ["a", "b", "c"])
})

test("gather: runs concurrently (3 × 10 ms done at 10 ms)", async () => {
  await runTest(Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(gather([after(10, 1), after(10, 2), after(10, 3)]))
    yield* TestClock.adjust(10)
    assert.deepEqual(yield* Fiber.join(fiber), [1, 2, 3])
  }))
})

test("gather: the first failure fails the gather and interrupts the rest", async () => {
  let finished = false
  const exit = await runTest(Effect.gen(function* () {
    const slow = Effect.andThen(Effect.sleep(100), Effect.sync(() => (finished = true)))
    const fiber = yield* Effect.forkChild(gather([slow, failAfter(10, "boom")]))
    yield* TestClock.adjust(200)
    return yield* Fiber.await(fiber)
  }))
  assert.deepEqual(exit, Exit.fail("boom"))
  assert.equal(finished, false)
})

test("gather: returnExceptions collects every outcome in order", async () => {
  const results = await runTest(Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(
      gather([after(20, 1), failAfter(10, "boom"), after(5, 3)], { returnExceptions: true }),
    )
    yield* TestClock.adjust(20)
    return yield* Fiber.join(fiber)
  }))
  assert.deepEqual(results, [Result.succeed(1), Result.fail("boom"), Result.succeed(3)])
})

test("gather(returnExceptions): a child cancelled on its own is a CancelledError in its place, as in CPython", async () => {
  const results = await runTest(
    gather([Effect.interrupt, Effect.succeed(1), Effect.fail("boom")], { returnExceptions: true }),
  )
  assert.equal(results.length, 3)
  assert.ok(Result.isFailure(results[0]) && results[0].failure instanceof CancelledError)
  assert.deepEqual(results.slice(1), [Result.succeed(1), Result.fail("boom")])
  // A task (a fiber) cancelled before the gather: its name is in the message.
  const named = await Effect.runPromise(withRunningLoop(Effect.gen(function* () {
    const task = yield* createTask(Effect.never, { name: "sleeper" })
    yield* task.cancel
    return yield* gather([task], { returnExceptions: true })
  })))
  assert.ok(Result.isFailure(named[0]))
  assert.equal((named[0].failure as CancelledError).message, "sleeper was cancelled")
})

test("gather(returnExceptions): the gather itself cancelled is cancelled, not a list of values", async () => {
  const exit = await runTest(Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(
      gather([Effect.never, after(10, 1)], { returnExceptions: true }),
    )
    yield* Effect.yieldNow
    return yield* Fiber.await(yield* Effect.as(Fiber.interrupt(fiber), fiber))
  }))
  assert.ok(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
})

test("gather(returnExceptions): a defect is not an exception to return: it fails the gather", async () => {
  const exit = await Effect.runPromise(
    Effect.exit(gather([Effect.die("bug"), Effect.succeed(1)], { returnExceptions: true })),
  )
  assert.ok(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
})

// --- wait -------------------------------------------------------------------

test("wait: ALL_COMPLETED (the default) returns when every task is done", async () => {
  await runTest(Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(wait([after(10, 1), after(30, 2), failAfter(20, "x")]))
    yield* TestClock.adjust(29)
    assert.equal(fiber.pollUnsafe(), undefined)
    yield* TestClock.adjust(1)
    const { done, pending } = yield* Fiber.join(fiber)
    assert.equal(done.length, 3)
    assert.equal(pending.length, 0)
    // A failed task is done, not an error of wait: its failure is in its own exit.
    assert.deepEqual(done[2].pollUnsafe(), Exit.fail("x"))
  }))
})

// Tasks forked by the test fiber, like asyncio.create_task: they outlive the fiber that waits.
const tasks = <A, E>(effects: ReadonlyArray<Effect.Effect<A, E>>) =>
  Effect.forEach(effects, (effect) => Effect.forkChild(effect))

test("wait: FIRST_COMPLETED returns at the first finish; pending tasks keep running", async () => {
  await runTest(Effect.gen(function* () {
    const both = yield* tasks([after(30, "slow"), after(10, "fast")])
    const waiting = yield* Effect.forkChild(wait(both, { returnWhen: "FIRST_COMPLETED" }))
    yield* TestClock.adjust(10)
    const { done, pending } = yield* Fiber.join(waiting)
    assert.deepEqual(done.map((f) => f.pollUnsafe()), [Exit.succeed("fast")])
    assert.equal(pending.length, 1)
    yield* TestClock.adjust(20)
    assert.equal(yield* Fiber.join(pending[0]), "slow")
  }))
})

test("wait: FIRST_COMPLETED counts a failure as a completion", async () => {
  await runTest(Effect.gen(function* () {
    const waiting = yield* Effect.forkChild(
      wait([after(30, 1), failAfter(10, "boom")], { returnWhen: "FIRST_COMPLETED" }),
    )
    yield* TestClock.adjust(10)
    const { done, pending } = yield* Fiber.join(waiting)
    assert.deepEqual(done[0].pollUnsafe(), Exit.fail("boom"))
    assert.equal(pending.length, 1)
  }))
})

test("wait: FIRST_EXCEPTION returns at the first failure, not at earlier successes", async () => {
  await runTest(Effect.gen(function* () {
    const waiting = yield* Effect.forkChild(
      wait([after(5, 1), failAfter(20, "boom"), after(50, 3)], { returnWhen: "FIRST_EXCEPTION" }),
    )
    yield* TestClock.adjust(10)
    assert.equal(waiting.pollUnsafe(), undefined, "a success must not end FIRST_EXCEPTION")
    yield* TestClock.adjust(10)
    const { done, pending } = yield* Fiber.join(waiting)
    assert.equal(done.length, 2)
    assert.equal(pending.length, 1)
  }))
})

test("wait: FIRST_EXCEPTION with no failure waits for all; interruption is not a failure", async () => {
  await runTest(Effect.gen(function* () {
    const victim = yield* Effect.forkChild(Effect.never)
    const waiting = yield* Effect.forkChild(
      wait<unknown, never>([after(10, 1), victim, after(20, 3)], { returnWhen: "FIRST_EXCEPTION" }),
    )
    yield* Fiber.interrupt(victim)
    yield* TestClock.adjust(10)
    assert.equal(waiting.pollUnsafe(), undefined)
    yield* TestClock.adjust(10)
    const { done, pending } = yield* Fiber.join(waiting)
    assert.equal(done.length, 3)
    assert.equal(pending.length, 0)
  }))
})

test("wait: a timeout returns what is done so far, rather than failing", async () => {
  await runTest(Effect.gen(function* () {
    const both = yield* tasks([after(10, 1), after(100, 2)])
    const waiting = yield* Effect.forkChild(wait(both, { timeout: "50 millis" }))
    yield* TestClock.adjust(50)
    const { done, pending } = yield* Fiber.join(waiting)
    assert.equal(done.length, 1)
    assert.equal(pending.length, 1)
    assert.equal(pending[0].pollUnsafe(), undefined, "the pending task is still running")
    yield* TestClock.adjust(50)
    assert.equal(yield* Fiber.join(pending[0]), 2)
  }))
})

test("wait: effects are forked as children of the caller, alive while it runs", async () => {
  await runTest(Effect.gen(function* () {
    const clock = yield* Effect.forkChild(TestClock.adjust(10))
    const { done, pending } = yield* wait([after(10, "fast"), after(20, "slow")], {
      returnWhen: "FIRST_COMPLETED",
    })
    yield* Fiber.join(clock)
    assert.equal(done.length, 1)
    yield* TestClock.adjust(10)
    assert.equal(yield* Fiber.join(pending[0]), "slow")
  }))
})

test("wait: tasks already done return at once; running fibers can be passed in", async () => {
  await runTest(Effect.gen(function* () {
    const finished = yield* Effect.forkChild(Effect.succeed(1))
    yield* Fiber.await(finished)
    const running = yield* Effect.forkChild(after(10, 2))
    const { done, pending } = yield* wait([finished, running], { returnWhen: "FIRST_COMPLETED" })
    assert.deepEqual(done, [finished])
    assert.deepEqual(pending, [running])
  }))
})

test("wait: an empty set of tasks is a defect, as asyncio raises ValueError", async () => {
  const exit = await Effect.runPromise(Effect.exit(wait([])))
  assert.ok(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
})

test("wait: interrupting the waiter leaves its observers detached and the tasks running", async () => {
  await runTest(Effect.gen(function* () {
    const task = yield* Effect.forkChild(after(100, "still here"))
    const waiting = yield* Effect.forkChild(wait([task]))
    yield* TestClock.adjust(10)
    yield* Fiber.interrupt(waiting)
    assert.ok(Exit.hasInterrupts(yield* Fiber.await(waiting)))
    yield* TestClock.adjust(90)
    assert.equal(yield* Fiber.join(task), "still here")
  }))
})

// --- waitFor ----------------------------------------------------------------

test("waitFor: returns the value within the limit", async () => {
  await runTest(Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(waitFor(after(10, "ok"), "20 millis"))
    yield* TestClock.adjust(10)
    assert.equal(yield* Fiber.join(fiber), "ok")
  }))
})

test("waitFor: past the limit fails with a TimeoutError and interrupts the effect", async () => {
  let interrupted = false
  await runTest(Effect.gen(function* () {
    const slow = after(100, "late").pipe(
      Effect.onInterrupt(() => Effect.sync(() => (interrupted = true))),
    )
    const fiber = yield* Effect.forkChild(Effect.flip(waitFor(slow, "20 millis")))
    yield* TestClock.adjust(20)
    const error = yield* Fiber.join(fiber)
    assert.ok(Cause.isTimeoutError(error))
    assert.match(String(error.message), /timed out after 20ms/)
  }))
  assert.equal(interrupted, true)
})

test("waitFor: a limit of zero or below times out at once without running the effect", async () => {
  let ran = false
  const body = Effect.sync(() => (ran = true))
  for (const limit of [0, -1, "-5 millis"] as const) {
    const error = await runTest(Effect.flip(waitFor(body, limit)))
    assert.ok(Cause.isTimeoutError(error), `limit ${limit}`)
  }
  assert.equal(ran, false)
})

test("waitFor: a task already done gives its result even with a zero limit; NaN is a defect", async () => {
  await runTest(withRunningLoop(Effect.gen(function* () {
    const task = yield* createTask(Effect.succeed("done"))
    yield* Fiber.await(task)
    assert.equal(yield* waitFor(task, "0 millis"), "done")
    const exit = yield* Effect.exit(waitFor(Effect.succeed(1), NaN as Duration.Input))
    assert.ok(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
    assert.match(String(Cause.squash(exit.cause)), /waitFor: the timeout must be a number, got NaN/)
  })))
})

test("waitFor: given a task, the limit interrupts the task (asyncio cancels it)", async () => {
  await runTest(withRunningLoop(Effect.gen(function* () {
    const task = yield* createTask(after(100, "late"))
    const waiting = yield* Effect.forkChild(Effect.flip(waitFor(task, "20 millis")))
    yield* TestClock.adjust(20)
    assert.ok(Cause.isTimeoutError(yield* Fiber.join(waiting)))
    assert.ok(Exit.hasInterrupts(yield* Fiber.await(task)))
  })))
})

// --- createTask ---------------------------------------------------------------

test("createTask: a task outlives the fiber that created it, and is named", async () => {
  await runTest(withRunningLoop(Effect.gen(function* () {
    const creator = yield* Effect.forkChild(Effect.gen(function* () {
      const task = yield* createTask(after(50, "task result"))
      return task
    }))
    const task = yield* Fiber.join(creator)
    assert.ok(creator.pollUnsafe(), "the creator has ended")
    assert.match(task.name, /^Task-\d+$/)
    yield* TestClock.adjust(50)
    assert.equal(yield* Fiber.join(task), "task result")
  })))
})

test("createTask: cancel interrupts it; pending tasks are interrupted when the loop ends", async () => {
  const interrupted: Array<string> = []
  const forever = (name: string) =>
    Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted.push(name)))
  await runTest(withRunningLoop(Effect.gen(function* () {
    const cancelled = yield* createTask(forever("cancelled"))
    yield* createTask(forever("left pending"))
    yield* Effect.yieldNow
    yield* cancelled.cancel
    assert.deepEqual(interrupted, ["cancelled"])
  })))
  assert.deepEqual(interrupted, ["cancelled", "left pending"])
})

test("createTask: with no running loop it dies with NoRunningLoopError (asyncio's RuntimeError)", async () => {
  const exit = await Effect.runPromise(Effect.exit(createTask(Effect.void)))
  assert.ok(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
  const defect = Cause.squash(exit.cause)
  assert.ok(defect instanceof NoRunningLoopError)
  assert.match(defect.message, /no running loop/)
})

test("createTask: only failures nobody retrieved are reported when the loop ends", async () => {
  const reports: Array<string> = []
  await runTest(
    withRunningLoop(Effect.gen(function* () {
      const joined = yield* createTask(Effect.fail("joined"), { name: "joined" })
      yield* createTask(Effect.fail("orphan"), { name: "orphan" })
      yield* createTask(Effect.succeed("fine"), { name: "fine" })
      yield* Effect.yieldNow
      yield* Effect.flip(Fiber.join(joined))
    })).pipe(
      withExceptionHandler(({ message, cause }) =>
        reports.push(`${message} ${Cause.squash(cause)}`)
      ),
    ),
  )
  assert.deepEqual(reports, ["Task exception was never retrieved: orphan orphan"])
})

test("wait: under a running loop, effects become tasks that outlive the caller of wait", async () => {
  await runTest(withRunningLoop(Effect.gen(function* () {
    const caller = yield* Effect.forkChild(
      wait([after(10, "fast"), after(30, "slow")], { returnWhen: "FIRST_COMPLETED" }),
    )
    yield* TestClock.adjust(10)
    const { pending } = yield* Fiber.join(caller)
    assert.ok(caller.pollUnsafe(), "the caller of wait has ended")
    yield* TestClock.adjust(20)
    assert.equal(yield* Fiber.join(pending[0]), "slow", "the pending task ran to completion")
  })))
})

test("wait: a timeout of zero or below returns at once with what is done; NaN is a defect", async () => {
  await runTest(withRunningLoop(Effect.gen(function* () {
    const done = yield* createTask(Effect.succeed(1))
    yield* Fiber.await(done)
    const slow = yield* createTask(after(10, 2))
    const result = yield* wait([done, slow], { timeout: "-1 millis" })
    assert.deepEqual(result, { done: [done], pending: [slow] })
    const exit = yield* Effect.exit(
      wait<number, never, never, Duration.Input>([slow], { timeout: NaN }),
    )
    assert.ok(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
  })))
})

test("gather: tasks are joined, not interrupted: a failure leaves the other tasks running", async () => {
  await runTest(withRunningLoop(Effect.gen(function* () {
    const slow = yield* createTask(after(30, "slow"))
    const failing = yield* createTask(failAfter(10, "boom"))
    const gathering = yield* Effect.forkChild(gather([slow, failing]))
    yield* TestClock.adjust(10)
    assert.deepEqual(yield* Fiber.await(gathering), Exit.fail("boom"))
    yield* TestClock.adjust(20)
    assert.equal(yield* Fiber.join(slow), "slow")
  })))
})

// --- fromAsync --------------------------------------------------------------

test("fromAsync: resolves, and a rejection becomes a typed AsyncError with its cause", async () => {
  assert.equal(await Effect.runPromise(fromAsync(() => Promise.resolve(42))), 42)
  const cause = new TypeError("nope")
  const error = await Effect.runPromise(Effect.flip(fromAsync(() => Promise.reject(cause))))
  assert.ok(error instanceof AsyncError)
  assert.equal(error.message, "nope")
  assert.equal(error.cause, cause)
})

test("fromAsync: interruption aborts the signal", async () => {
  let reason: unknown
  await Effect.runPromise(Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(
      fromAsync((signal) =>
        new Promise<never>(() => signal.addEventListener("abort", () => (reason = "aborted")))
      ),
    )
    yield* Effect.yieldNow
    yield* Fiber.interrupt(fiber)
  }))
  assert.equal(reason, "aborted")
})

// --- run --------------------------------------------------------------------

const fixture = fromRoot("tests/fixtures/run-exit.ts")

test("run: returns a Promise of main's result; the line after `await run(main)` waits for it", async () => {
  const ok = await runScript(fixture, ["ok"])
  assert.equal(ok.code, 0, ok.stderr)
  assert.deepEqual(ok.lines, ["ok", "run returned 42"])
})

test("run: a failure exits 1 with the error on stderr, and nothing after `await run` runs", async () => {
  const failed = await runScript(fixture, ["fail"])
  assert.equal(failed.code, 1)
  assert.match(failed.stderr, /main failed on purpose/)
  assert.deepEqual(failed.lines, [], "nothing on stdout: not the error, not the line after")
  // A bare run(main) (not awaited) prints the cause itself, once, and sets the exit code.
  const bare = await runScript(fixture, ["fail", "bare"])
  assert.equal(bare.code, 1)
  assert.equal(bare.stderr.match(/main failed on purpose/g)?.length, 1, bare.stderr)
  assert.deepEqual(bare.lines, ["the line after a bare run(main) runs at once"])
})

test("run: run inside a running run fails with an error that says so", async () => {
  const nested = await runScript(fixture, ["nested"])
  assert.equal(nested.code, 1)
  assert.match(nested.stderr, /run\(\) cannot be called from a running loop/)
  assert.deepEqual(nested.lines, [])
})

test("run: a failed task nobody joined is reported at the end ('Task exception was never retrieved')", async () => {
  const task = await runScript(fixture, ["task"])
  assert.equal(task.code, 0, "as in asyncio, the report does not fail the program")
  assert.deepEqual(task.lines, ["main done", "run returned main's result"])
  assert.match(task.stderr, /Task exception was never retrieved: orphan\n/)
  assert.match(task.stderr, /Error: nobody joined me\n\s+at /)
})

test("run: the loop option dispatches main and its forks on that loop", async () => {
  const run = await runScript(fixture, ["loop"])
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, ["fastLoop", "run returned undefined"])
})

test("run: SIGINT interrupts main, runs its finalizers and exits 130", async () => {
  const [exe, ...args] = scriptCommand(fixture, ["sigint"])
  const child = spawn(exe, args, { stdio: ["ignore", "pipe", "inherit"] })
  let out = ""
  const exited = new Promise<number | string | null>((resolve) =>
    // Deno's child_process reports an exit status of 130 as the signal SIGINT.
    child.on("close", (code, signal) => resolve(code ?? signal))
  )
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000)
  let signalled = false
  for await (const chunk of child.stdout) {
    out += chunk
    if (!signalled && out.includes("ready")) signalled = child.kill("SIGINT")
  }
  const code = await exited
  clearTimeout(killer)
  assert.ok(code === 130 || code === "SIGINT", `exit ${code}`)
  assert.match(out, /finalizer ran/, "main was interrupted and its finalizer ran before exit")
})

const gatherFixture = fromRoot("tests/fixtures/gather-cancelled.ts")

test("run: asyncio's Queue example ported literally: cancelled workers gathered with returnExceptions end well", async () => {
  const run = await runScript(gatherFixture, ["queue"])
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines.slice(0, 3).sort(), [
    "worker-0 slept 3 ms",
    "worker-1 slept 1 ms",
    "worker-2 slept 2 ms",
  ])
  assert.deepEqual(run.lines.slice(3), [
    "CancelledError: worker-0 was cancelled",
    "CancelledError: worker-1 was cancelled",
    "CancelledError: worker-2 was cancelled",
    "main returned",
  ])
})

for (const form of ["await", "bare"]) {
  test(`run (${form}): main cancelled from within exits 1 (not 130) with one line naming gather's way out`, async () => {
    const run = await runScript(gatherFixture, ["join", ...(form === "bare" ? ["bare"] : [])])
    assert.equal(run.code, 1, run.stderr)
    const lines = run.stderr.split("\n").filter((line) => line !== "")
    assert.equal(lines.length, 1, run.stderr)
    assert.match(lines[0], /^main was cancelled: .*gather\(tasks, \{ returnExceptions: true \}\)/)
    assert.doesNotMatch(run.stdout, /main returned/)
  })
}
