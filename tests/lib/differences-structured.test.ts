/**
 * The differences from asyncio of the structured-concurrency layer
 * (timeout, asCompleted, signals under run) that the README's "Where
 * effect-asyncio differs from asyncio" lists. Each test shows our behaviour,
 * and what to write to get asyncio's. (CPython 3.11 was run for each: see
 * the comments.)
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { Cause, Effect, Exit, Fiber } from "effect"
import { asCompleted } from "effect-asyncio/as-completed"
import { createTask, withRunningLoop } from "effect-asyncio/task"
import { timeout } from "effect-asyncio/timeout"

test("timeout: a block cannot swallow its cancellation; the deadline still raises TimeoutError", async () => {
  // CPython 3.11: `except CancelledError: pass` inside `async with timeout(0.01)` ends the
  // block normally, and cm.expired() is True. An Effect interruption cannot be caught:
  let caught = false
  const exit = await Effect.runPromise(Effect.exit(timeout(
    "10 millis",
    Effect.never.pipe(
      Effect.catchCause(() => Effect.sync(() => (caught = true))),
    ),
  )))
  assert.equal(caught, false)
  assert.ok(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof Cause.TimeoutError)
  // Instead: run the cleanup in a finalizer, and handle the TimeoutError after the block.
  const handled = await Effect.runPromise(
    timeout("10 millis", Effect.never).pipe(
      Effect.catchTag("TimeoutError", () => Effect.succeed("handled")),
    ),
  )
  assert.equal(handled, "handled")
})

test("timeout: fibers the block forks end with the block (it runs in a fiber of its own)", async () => {
  // asyncio has no child tasks: a task created in the block belongs to the loop.
  const child = await Effect.runPromise(Effect.gen(function* () {
    const child = yield* timeout("1 second", Effect.forkChild(Effect.never))
    yield* Effect.yieldNow
    return child
  }))
  assert.ok(Exit.isFailure(child.pollUnsafe()!), "interrupted when the block ended")
  // Instead: createTask (a task of the running loop) outlives the block, as in asyncio.
  const task = await Effect.runPromise(withRunningLoop(Effect.gen(function* () {
    const task = yield* timeout("1 second", createTask(Effect.sleep("5 millis")))
    yield* Fiber.join(task)
    return task
  })))
  assert.ok(Exit.isSuccess(task.pollUnsafe()!))
})

test("asCompleted: outside a running loop the tasks left after a timeout end with the caller", async () => {
  // CPython 3.11 leaves them running (tasks of the loop); so does the lib under run.
  let finished = false
  await Effect.runPromise(Effect.gen(function* () {
    const slow = Effect.sleep("30 millis").pipe(
      Effect.andThen(Effect.sync(() => (finished = true))),
    )
    const [next] = yield* asCompleted([slow], { timeout: "5 millis" })
    assert.equal((yield* Effect.flip(next))._tag, "TimeoutError")
  }))
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(finished, false, "interrupted with the caller's fiber")
  // Under a running loop (run, withRunningLoop) it goes on, as in asyncio.
  await Effect.runPromise(withRunningLoop(Effect.gen(function* () {
    const slow = Effect.sleep("30 millis").pipe(
      Effect.andThen(Effect.sync(() => (finished = true))),
    )
    const [next] = yield* asCompleted([slow], { timeout: "5 millis" })
    yield* Effect.flip(next)
    yield* Effect.sleep("50 millis")
  })))
  assert.equal(finished, true)
})
