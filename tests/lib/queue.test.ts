/**
 * Queue, PriorityQueue and LifoQueue beyond the CPython 3.11 scenarios of
 * sync-traps.test.ts: `shutdown` (asyncio 3.13, not in 3.11: these follow its
 * documentation), the orders, and bad input.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { Cause, Effect, Exit, Fiber } from "effect"
import * as LifoQueue from "effect-asyncio/lifo-queue"
import * as PriorityQueue from "effect-asyncio/priority-queue"
import * as Queue from "effect-asyncio/queue"
import * as Semaphore from "effect-asyncio/semaphore"
import * as Barrier from "effect-asyncio/barrier"

const settle = Effect.gen(function* () {
  for (let i = 0; i < 5; i++) yield* Effect.yieldNow
})

const tagOf = (exit: Exit.Exit<unknown, { _tag: string }> | undefined) =>
  exit === undefined
    ? "running"
    : Exit.isSuccess(exit)
    ? "success"
    : Cause.squash(exit.cause) instanceof Error
    ? (Cause.squash(exit.cause) as { _tag?: string })._tag ?? "defect"
    : "interrupted"

test("queue: put waits while full and goes on after a get; get waits while empty", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const q = yield* Queue.make<number>({ maxsize: 1 })
    yield* q.put(1)
    const putter = yield* Effect.forkChild(q.put(2))
    yield* settle
    assert.equal(putter.pollUnsafe(), undefined, "put waits while the queue is full")
    assert.equal(yield* q.get, 1)
    yield* Fiber.join(putter)
    assert.equal(yield* q.get, 2)
    const getter = yield* Effect.forkChild(q.get)
    yield* settle
    assert.equal(getter.pollUnsafe(), undefined, "get waits while the queue is empty")
    yield* q.put(3)
    assert.equal(yield* Fiber.join(getter), 3)
  }))
})

test("queue: a put or get that need not wait does not suspend (runSync)", () => {
  const got = Effect.runSync(Effect.gen(function* () {
    const q = yield* Queue.make<string>({ maxsize: 2 })
    yield* q.put("a")
    yield* q.put("b")
    const got = [yield* q.get, yield* q.get]
    yield* q.taskDone
    yield* q.taskDone
    yield* q.join // nothing unfinished: returns at once
    return got
  }))
  assert.deepEqual(got, ["a", "b"])
})

test("queue shutdown (3.13 docs): puts fail, gets drain the queue then fail, taskDone releases join", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const q = yield* Queue.make<string>({ maxsize: 2 })
    yield* q.put("a")
    yield* q.put("b")
    const blockedPutter = yield* Effect.forkChild(q.put("c"))
    const joiner = yield* Effect.forkChild(q.join)
    yield* settle
    yield* q.shutdown()
    yield* settle
    assert.equal(tagOf(blockedPutter.pollUnsafe()), "QueueShutDown", "a waiting put fails")
    assert.equal(tagOf(yield* Effect.exit(q.put("d"))), "QueueShutDown")
    assert.equal(tagOf(yield* Effect.exit(q.putNowait("d"))), "QueueShutDown")
    assert.equal(yield* q.get, "a")
    yield* q.taskDone
    assert.equal(yield* q.getNowait, "b")
    assert.equal(joiner.pollUnsafe(), undefined, "join waits for the last taskDone")
    yield* q.taskDone
    yield* Fiber.join(joiner)
    assert.equal(tagOf(yield* Effect.exit(q.get)), "QueueShutDown", "empty and shut down")
    assert.equal(tagOf(yield* Effect.exit(q.getNowait)), "QueueShutDown")
  }))
})

test("queue shutdown (3.13 docs): waiting getters of an empty queue fail", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const q = yield* Queue.make<string>()
    const getters = [yield* Effect.forkChild(q.get), yield* Effect.forkChild(q.get)]
    yield* settle
    yield* q.shutdown()
    const exits = yield* Effect.forEach(getters, Fiber.await)
    assert.deepEqual(exits.map(tagOf), ["QueueShutDown", "QueueShutDown"])
  }))
})

test("queue shutdown({ immediate: true }) (3.13 docs): drops what is queued, releases join, fails getters", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const q = yield* Queue.make<number>()
    for (let i = 0; i < 3; i++) yield* q.put(i)
    assert.equal(yield* q.get, 0) // taken, not yet done
    const joiner = yield* Effect.forkChild(q.join)
    yield* settle
    yield* q.shutdown({ immediate: true })
    assert.equal(yield* q.qsize, 0)
    yield* settle
    assert.equal(joiner.pollUnsafe(), undefined, "the item taken is still unfinished")
    yield* q.taskDone
    yield* Fiber.join(joiner)
    assert.equal(tagOf(yield* Effect.exit(q.get)), "QueueShutDown")
    // Unfinished count is 0 now: one taskDone more is too many.
    assert.equal(tagOf(yield* Effect.exit(q.taskDone)), "TaskDoneTooManyTimesError")
  }))
})

test("priority queue: smallest first, Python's comparison of tuples; an order for anything else", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const q = yield* PriorityQueue.make<[number, string]>()
    for (const item of [[2, "b"], [1, "z"], [2, "a"], [0, "x"]] as Array<[number, string]>) {
      yield* q.put(item)
    }
    const out: Array<[number, string]> = []
    while (!(yield* q.empty)) out.push(yield* q.get)
    assert.deepEqual(out, [[0, "x"], [1, "z"], [2, "a"], [2, "b"]])

    const byLength = yield* PriorityQueue.make<string>({
      order: (a, b) => a.length < b.length ? -1 : a.length > b.length ? 1 : 0,
    })
    for (const word of ["ccc", "a", "bb"]) yield* byLength.put(word)
    assert.deepEqual([yield* byLength.get, yield* byLength.get, yield* byLength.get], [
      "a",
      "bb",
      "ccc",
    ])
    // Items Python could not compare are a TypeError there, a defect here.
    const mixed = yield* PriorityQueue.make<unknown>()
    yield* mixed.put(1)
    const exit = yield* Effect.exit(mixed.put("one"))
    assert.ok(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof TypeError)
  }))
})

test("priority queue: 1,000 random numbers come out sorted", async () => {
  const numbers = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1009)
  const out = await Effect.runPromise(Effect.gen(function* () {
    const q = yield* PriorityQueue.make<number>()
    for (const n of numbers) yield* q.put(n)
    const out: Array<number> = []
    for (let i = 0; i < numbers.length; i++) out.push(yield* q.get)
    return out
  }))
  assert.deepEqual(out, [...numbers].sort((a, b) => a - b))
})

test("lifo queue: last in first out, bounded like Queue", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const q = yield* LifoQueue.make<number>({ maxsize: 2 })
    yield* q.put(1)
    yield* q.put(2)
    assert.equal(tagOf(yield* Effect.exit(q.putNowait(3))), "QueueFull")
    assert.deepEqual([yield* q.get, yield* q.get], [2, 1])
  }))
})

test("bad input: maxsize, Semaphore value and Barrier parties are RangeErrors that name the call", () => {
  const defect = (effect: Effect.Effect<unknown>) => {
    const exit = Effect.runSyncExit(effect)
    assert.ok(Exit.isFailure(exit))
    return Cause.squash(exit.cause) as Error
  }
  assert.match(defect(Queue.make({ maxsize: 1.5 })).message, /^Queue: maxsize must be an integer/)
  assert.match(defect(PriorityQueue.make({ maxsize: NaN })).message, /^PriorityQueue: maxsize/)
  assert.match(defect(Semaphore.make(-1)).message, /^Semaphore: the initial value must be/)
  assert.match(defect(Barrier.make(0)).message, /^Barrier: parties must be an integer > 0/)
  assert.ok(defect(Barrier.make(0)) instanceof RangeError)
  // A negative maxsize is unbounded, as in asyncio.
  const q = Effect.runSync(Queue.make<number>({ maxsize: -1 }))
  assert.equal(Effect.runSync(q.full), false)
})
