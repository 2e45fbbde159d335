/**
 * Synchronization primitive: Event — `asyncio.Event` set from `loop.call_later`.
 *
 * Two consumers wait on one event; a trigger scheduled 100 ms later with
 * `callLater` prints "EVENT SET" and sets it; both consumers wake. Notice:
 * - `event.wait` suspends only the consumer's fiber; the loop keeps running
 *   and fires the trigger;
 * - one `set` wakes every waiter, in the order they started waiting;
 * - `trigger` is a plain callback in asyncio; here it is an effect (a plain
 *   function works too), and `callLater` schedules it in the program's scope
 *   (`Effect.scoped`), so a trigger that has not fired yet cannot outlive
 *   the program.
 *
 * Run it:  deno run recipes/event.ts   |   bun recipes/event.ts
 * Output:
 *   Consumer A waiting
 *   Consumer B waiting
 *   EVENT SET
 *   Consumer A triggered
 *   Consumer B triggered
 * (The playbook shows B before A: asyncio.wait took a set, whose order is
 * arbitrary. Here the consumers start in list order, so A is first in both.)
 */
import { Console, Duration, Effect } from "effect"
import { run, wait } from "effect-asyncio/coroutine"
import * as Event from "effect-asyncio/event"
import { callLater } from "effect-asyncio/loop"

// The event trigger: announce, then wake everyone waiting.
export const trigger = (event: Event.Event) => Effect.andThen(Console.log("EVENT SET"), event.set)

// An event consumer: say so, wait for the signal, say so again.
const consumer = (consumerName: string) => (event: Event.Event) =>
  Effect.gen(function* () {
    yield* Console.log(`${consumerName} waiting`)
    yield* event.wait
    yield* Console.log(`${consumerName} triggered`)
  })

export const consumer_a = consumer("Consumer A")
export const consumer_b = consumer("Consumer B")

export const main = (delay = 100) =>
  Effect.scoped(Effect.gen(function* () {
    const event = yield* Event.make
    // call_later(0.1, trigger, event): trigger the event in 100 ms.
    yield* callLater(Duration.millis(delay), trigger(event))
    // Wrap both consumers in one wait and run until both are done.
    return yield* wait([consumer_a(event), consumer_b(event)])
  }))

if (import.meta.main) run(main())
