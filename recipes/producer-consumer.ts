/**
 * Queue: a fast producer, a slow consumer, and back-pressure in between.
 *
 * The producer makes eight items as fast as it can; the consumer needs
 * 100 ms for each. The queue holds at most three, so once it is full each
 * `put` waits until the consumer took one: the producer is slowed to the
 * consumer's pace instead of piling up items. When it has put all eight it
 * calls `shutdown()`: the consumer still gets what is queued, then its next
 * `get` fails with `QueueShutDown`, and it stops. Notice:
 * - "producer waits" appears once the queue holds three;
 * - nothing is lost at shutdown: the consumer gets all eight.
 *
 * Run it:  deno run recipes/producer-consumer.ts   |   bun recipes/producer-consumer.ts
 * Output:
 *   put 1
 *   put 2
 *   put 3
 *   producer waits: queue full (3)
 *   got 1
 *   put 4
 *   producer waits: queue full (3)
 *   got 2            (100 ms later; from here one put per get)
 *   put 5
 *   ...
 *   put 8
 *   got 6
 *   got 7
 *   got 8
 *   consumer: queue shut down after 8 items
 */
import { Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"
import * as Queue from "effect-asyncio/queue"

const producer = (queue: Queue.Queue<number>, count: number) =>
  Effect.gen(function* () {
    for (let item = 1; item <= count; item++) {
      if (yield* queue.full) yield* Console.log(`producer waits: queue full (${queue.maxsize})`)
      yield* queue.put(item)
      yield* Console.log(`put ${item}`)
    }
    // No more items: consumers drain what is queued, then their get fails.
    yield* queue.shutdown()
  })

const consumer = (queue: Queue.Queue<number>) => {
  let got = 0
  return Effect.gen(function* () {
    while (true) {
      const item = yield* queue.get // fails with QueueShutDown once drained
      yield* Console.log(`got ${item}`)
      got++
      yield* Effect.sleep("100 millis") // slow work
    }
  }).pipe(
    Effect.catchTag(
      "QueueShutDown",
      () => Console.log(`consumer: queue shut down after ${got} items`),
    ),
  )
}

export const main = (count = 8) =>
  Effect.gen(function* () {
    const queue = yield* Queue.make<number>({ maxsize: 3 })
    yield* Effect.all([producer(queue, count), consumer(queue)], { concurrency: "unbounded" })
  })

if (import.meta.main) run(main())
