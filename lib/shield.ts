/**
 * `asyncio.shield` on Effect fibers: the work goes on to its end even if the
 * caller is interrupted.
 *
 * `shield(effect)` starts `effect` as a task of the running loop
 * (`createTask`, so it needs `run` or `withRunningLoop`) and waits for it.
 * Interrupting the caller stops the waiting at once, not the task: the loop
 * owns it, and it runs until it ends or the loop does (when main has
 * returned). Its failure reaches the caller that is still waiting; a task
 * interrupted on its own interrupts the caller. Given a task (a fiber), it
 * waits for that task the same way. As in asyncio, a failure that comes
 * after the caller left counts as retrieved: it is not reported as "Task
 * exception was never retrieved".
 *
 * @example The caller is cancelled, the commit is not
 * ```ts
 * import { Effect, Fiber } from "effect"
 * import { shield } from "effect-asyncio/shield"
 * import { withRunningLoop } from "effect-asyncio/task"
 * import assert from "node:assert/strict"
 *
 * const seen: Array<string> = []
 * const commit = Effect.sync(() => seen.push("committed")).pipe(Effect.delay("10 millis"))
 * await Effect.runPromise(withRunningLoop(Effect.gen(function* () {
 *   const caller = yield* Effect.forkChild(shield(commit))
 *   yield* Effect.sleep("1 millis")
 *   yield* Fiber.interrupt(caller) // returns at once
 *   seen.push("caller cancelled")
 *   yield* Effect.sleep("20 millis")
 * })))
 * assert.deepEqual(seen, ["caller cancelled", "committed"])
 * ```
 *
 * @module
 */
import { Effect, Fiber } from "effect"
import { createTask } from "./task.ts"

/**
 * Runs `effect` (or waits for a task) so that interrupting the caller does
 * not interrupt it, like `await asyncio.shield(aw)`. With no running loop an
 * effect dies with `NoRunningLoopError` (see `createTask`).
 */
export const shield = <A, E, R = never>(
  awaitable: Effect.Effect<A, E, R> | Fiber.Fiber<A, E>,
): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Fiber.isFiber(awaitable) ? Effect.succeed(awaitable) : createTask(awaitable),
    (task) => {
      // Mark its outcome read whatever the caller does (asyncio's shield does).
      task.addObserver(() => {})
      return Fiber.join(task)
    },
  )
