/**
 * Queue: workers take jobs from an `asyncio.Queue` until it is joined.
 *
 * Twenty random sleep times go into a queue; three workers take them one by
 * one, sleep that long, and mark each done with `taskDone`. `join` waits
 * until every job was marked done; then the workers, idle in `get`, are
 * cancelled. Notice:
 * - the three sleep at the same time: the total wall time is about a third
 *   of the sum of the sleeps;
 * - `join` counts `taskDone` calls, not gets: a job taken but not finished
 *   still holds it;
 * - workers never end on their own (`Effect.forever`): cancelling them is
 *   the way to stop them, as in asyncio.
 *
 * Run it:  deno run recipes/queue-workers.ts   |   bun recipes/queue-workers.ts
 * Output (the times are random):
 *   worker-0 has slept for 0.62 seconds
 *   worker-1 has slept for 0.71 seconds
 *   ...                                   (20 lines)
 *   ====
 *   3 workers slept in parallel for 3.41 seconds
 *   total expected sleep time: 10.05 seconds
 */
import { Clock, Console, Duration, Effect } from "effect"
import { createTask, run } from "effect-asyncio/coroutine"
import * as Queue from "effect-asyncio/queue"

// A worker: take a sleep time, sleep it, report, mark the job done; forever.
const worker = (name: string, queue: Queue.Queue<number>) =>
  Effect.forever(Effect.gen(function* () {
    const seconds = yield* queue.get
    yield* Effect.sleep(Duration.seconds(seconds))
    yield* queue.taskDone
    yield* Console.log(`${name} has slept for ${seconds.toFixed(2)} seconds`)
  }))

export const main = (sleepTimes: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    const queue = yield* Queue.make<number>()
    for (const seconds of sleepTimes) yield* queue.put(seconds)

    const tasks = []
    for (let i = 0; i < 3; i++) tasks.push(yield* createTask(worker(`worker-${i}`, queue)))

    // Wait until every job is done, and time it.
    const started = yield* Clock.currentTimeMillis
    yield* queue.join
    const elapsed = ((yield* Clock.currentTimeMillis) - started) / 1000

    // The workers wait in get() forever: cancel them.
    for (const task of tasks) yield* task.cancel

    const total = sleepTimes.reduce((sum, s) => sum + s, 0)
    yield* Console.log("====")
    yield* Console.log(`3 workers slept in parallel for ${elapsed.toFixed(2)} seconds`)
    yield* Console.log(`total expected sleep time: ${total.toFixed(2)} seconds`)
  })

// Twenty sleep times between 0.05 and 1 second, as in the asyncio docs' example.
const randomTimes = Array.from({ length: 20 }, () => 0.05 + Math.random() * 0.95)

if (import.meta.main) run(main(randomTimes))
