/**
 * Where the synchronization primitives differ from CPython 3.11 (the rows of
 * the README's differences table), and where Effect's own primitives differ
 * from asyncio's (what a port must not rely on).
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { Effect, Fiber, Queue as EffectQueue, Semaphore as EffectSemaphore } from "effect"
import * as Condition from "effect-asyncio/condition"
import * as Queue from "effect-asyncio/queue"
import * as Semaphore from "effect-asyncio/semaphore"
import { fromRoot } from "../../scripts/support.ts"

const cpython: Record<string, unknown> = JSON.parse(
  readFileSync(fromRoot("tests/fixtures/asyncio_sync_traps.json"), "utf8"),
)

const settle = Effect.gen(function* () {
  for (let i = 0; i < 5; i++) yield* Effect.yieldNow
})

test("condition: a notified waiter interrupted before it ran passes the notification on (3.11 loses it)", async () => {
  const log = await Effect.runPromise(Effect.gen(function* () {
    const condition = yield* Condition.make()
    const log: Array<string> = []
    const waiter = (name: string) =>
      condition.withLock(Effect.andThen(condition.wait, Effect.sync(() => log.push(name))))
    const a = yield* Effect.forkChild(waiter("a"))
    const b = yield* Effect.forkChild(waiter("b"))
    yield* settle
    yield* condition.withLock(condition.notify(1)) // a
    a.interruptUnsafe()
    yield* settle
    b.interruptUnsafe()
    return log
  }))
  // CPython 3.11 (condition_cancelled_notified_waiter_311): nobody returns; 3.13 wakes b.
  assert.deepEqual(cpython["condition_cancelled_notified_waiter_311"], [])
  assert.deepEqual(log, ["b"])
})

test("Effect's Semaphore lets a smaller later request overtake a larger earlier one; ours serves each acquire FIFO", async () => {
  const effects = await Effect.runPromise(Effect.gen(function* () {
    const semaphore = yield* EffectSemaphore.make(2)
    const order: Array<string> = []
    yield* semaphore.take(2)
    const big = yield* Effect.forkChild(
      Effect.andThen(semaphore.take(2), Effect.sync(() => order.push("two permits, first"))),
    )
    yield* settle
    const small = yield* Effect.forkChild(
      Effect.andThen(semaphore.take(1), Effect.sync(() => order.push("one permit, later"))),
    )
    yield* settle
    yield* semaphore.release(1)
    yield* settle
    yield* semaphore.release(2)
    yield* Fiber.joinAll([big, small])
    return order
  }))
  assert.deepEqual(effects, ["one permit, later", "two permits, first"])
  // Ours, as asyncio: no multi-permit request, each acquire is one permit served in arrival
  // order; the earlier fiber's second acquire queues behind the later fiber's.
  const ours = await Effect.runPromise(Effect.gen(function* () {
    const semaphore = yield* Semaphore.make(2)
    const order: Array<string> = []
    yield* semaphore.acquire
    yield* semaphore.acquire
    const big = yield* Effect.forkChild(Effect.gen(function* () {
      yield* semaphore.acquire
      order.push("first fiber, 1st permit")
      yield* semaphore.acquire
      order.push("first fiber, 2nd permit")
    }))
    yield* settle
    const small = yield* Effect.forkChild(
      Effect.andThen(semaphore.acquire, Effect.sync(() => order.push("later fiber"))),
    )
    yield* settle
    for (let i = 0; i < 3; i++) {
      yield* semaphore.release
      yield* settle
    }
    yield* Fiber.joinAll([big, small])
    return order
  }))
  assert.deepEqual(ours, ["first fiber, 1st permit", "later fiber", "first fiber, 2nd permit"])
})

test("Effect's Queue.bounded(0) is a rendezvous; asyncio's and our maxsize 0 is unbounded", async () => {
  const effects = await Effect.runPromise(Effect.gen(function* () {
    const queue = yield* EffectQueue.bounded<number>(0)
    const offer = yield* Effect.forkChild(EffectQueue.offer(queue, 1))
    yield* settle
    return offer.pollUnsafe() === undefined // the offer waits for a taker
  }))
  assert.equal(effects, true)
  const ours = await Effect.runPromise(Effect.gen(function* () {
    const queue = yield* Queue.make<number>({ maxsize: 0 })
    for (let i = 0; i < 100; i++) yield* queue.put(i)
    return yield* queue.qsize
  }))
  assert.equal(ours, 100)
})
