/**
 * Timeouts: `asyncio.timeout`, `timeout_at` with `reschedule`, `wait_for`, and `shield`.
 *
 * - `timeout(delay, block)` puts a deadline around a block: at the deadline
 *   the block is cancelled, its finalizers run, then `TimeoutError`.
 * - `timeoutAt(when, (cm) => …)` takes a time of the loop's clock (seconds,
 *   `time`); `cm.reschedule(when)` moves the deadline while the block runs.
 * - `waitFor(effect, delay)` is the older one-call form.
 * - `shield(commit)` keeps a commit alive while its caller gives up: the
 *   caller gets `TimeoutError` at once, the commit finishes on its own.
 *
 * Run it:  deno run recipes/timeouts.ts   |   bun recipes/timeouts.ts
 * Output:
 *   slow query: rolled back
 *   timeout: TimeoutError
 *   rescheduled by 0.2 s: finished, expired false
 *   waitFor: TimeoutError
 *   caller: TimeoutError, gave up waiting
 *   commit: done
 */
import { Console, Effect } from "effect"
import { run, waitFor } from "effect-asyncio/coroutine"
import { time } from "effect-asyncio/loop"
import { shield } from "effect-asyncio/shield"
import { timeout, timeoutAt } from "effect-asyncio/timeout"

const slowQuery = Effect.sleep("1 second").pipe(
  Effect.onInterrupt(() => Console.log("slow query: rolled back")),
)
const commit = Effect.sleep("150 millis").pipe(Effect.andThen(Console.log("commit: done")))

export const main = Effect.gen(function* () {
  // async with asyncio.timeout(0.1): await slow_query()
  yield* timeout("100 millis", slowQuery).pipe(
    Effect.catchTag("TimeoutError", (e) => Console.log(`timeout: ${e._tag}`)),
  )

  // async with asyncio.timeout_at(loop.time() + 0.1) as cm: cm.reschedule(cm.when() + 0.2)
  const now = yield* time
  const expired = yield* timeoutAt(now + 0.1, (cm) =>
    Effect.gen(function* () {
      yield* cm.reschedule(cm.when()! + 0.2)
      yield* Effect.sleep("200 millis")
      return cm.expired()
    }))
  yield* Console.log(`rescheduled by 0.2 s: finished, expired ${expired}`)

  // await asyncio.wait_for(slow_query(), 0.05)
  yield* waitFor(Effect.sleep("1 second"), "50 millis").pipe(
    Effect.catchTag("TimeoutError", (e) => Console.log(`waitFor: ${e._tag}`)),
  )

  // async with asyncio.timeout(0.05): await asyncio.shield(commit())
  yield* timeout("50 millis", shield(commit)).pipe(
    Effect.catchTag("TimeoutError", (e) => Console.log(`caller: ${e._tag}, gave up waiting`)),
  )
  yield* Effect.sleep("200 millis") // the commit goes on meanwhile
})

if (import.meta.main) await run(main)
