/**
 * Structured concurrency: `asyncio.TaskGroup` — every task ends inside the block.
 *
 * First the happy path: two tasks in a group; the block waits for both, and
 * their results are ready right after it. Then one child fails: the group
 * cancels its sibling (and the body) at once, waits for them, and fails with
 * one `TaskGroupError` listing every failure (asyncio's `ExceptionGroup`,
 * even for a single failure). Compare `gather` of `createTask` tasks, which
 * would let the sibling run on.
 *
 * Run it:  deno run recipes/task-group.ts   |   bun recipes/task-group.ts
 * Output:
 *   fetch users started
 *   fetch orders started
 *   fetch orders done
 *   fetch users done
 *   Both tasks have completed now: 3 users, 7 orders
 *   upload started
 *   index started
 *   upload failed: disk full
 *   index cancelled
 *   TaskGroupError: unhandled errors in a TaskGroup (1 sub-exception): disk full
 */
import { Console, type Duration, Effect, Fiber } from "effect"
import { run } from "effect-asyncio/coroutine"
import { taskGroup } from "effect-asyncio/task-group"

const work = <A>(name: string, delay: Duration.Input, result: A) =>
  Effect.gen(function* () {
    yield* Console.log(`${name} started`)
    yield* Effect.sleep(delay)
    yield* Console.log(`${name} done`)
    return result
  }).pipe(Effect.onInterrupt(() => Console.log(`${name} cancelled`)))

const upload = Effect.gen(function* () {
  yield* Console.log("upload started")
  yield* Effect.sleep("50 millis")
  yield* Console.log("upload failed: disk full")
  return yield* Effect.fail("disk full")
})

export const main = Effect.gen(function* () {
  // `async with TaskGroup() as tg:` — the block ends when both tasks have.
  const [users, orders] = yield* taskGroup((tg) =>
    Effect.all([
      tg.createTask(work("fetch users", "100 millis", 3)),
      tg.createTask(work("fetch orders", "50 millis", 7)),
    ])
  )
  const results = `${yield* Fiber.join(users)} users, ${yield* Fiber.join(orders)} orders`
  yield* Console.log(`Both tasks have completed now: ${results}`)

  // One child fails: its sibling is cancelled, the group fails with the list.
  yield* taskGroup((tg) =>
    Effect.andThen(tg.createTask(upload), tg.createTask(work("index", "200 millis", "indexed")))
  ).pipe(
    Effect.catchTag(
      "TaskGroupError",
      (error) => Console.log(`TaskGroupError: ${error.message}: ${error.errors.join(", ")}`),
    ),
  )
})

if (import.meta.main) await run(main)
