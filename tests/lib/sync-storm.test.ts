/**
 * Seeded storms of interruptions against Lock, Semaphore, Queue and
 * Condition: many fibers use the primitive while a storm interrupts random
 * ones (waiting in line, woken but not yet run, or holding). Whatever is
 * interrupted, nothing is lost: no permit, no item, no wake-up for another
 * waiter, and the limit is never exceeded. Each storm runs on the default
 * loop and on fastLoop; a failure names its seed (replay it with
 * SYNC_STORM_SEED=<seed>).
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import process from "node:process"
import { Effect, Fiber } from "effect"
import * as Condition from "effect-asyncio/condition"
import * as Lock from "effect-asyncio/lock"
import * as Queue from "effect-asyncio/queue"
import * as Semaphore from "effect-asyncio/semaphore"
import { defaultLoop, fastLoop, type Loop, withLoop } from "effect-asyncio/loop"

/** mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const baseSeed = Number(process.env.SYNC_STORM_SEED ?? 20261203)
const seeds = process.env.SYNC_STORM_SEED ? [baseSeed] : [0, 1, 2, 3, 4, 5].map((i) => baseSeed + i)

/** Yields `n` times: lets the other fibers run a few turns. */
const turns = (n: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < n; i++) yield* Effect.yieldNow
  })

/** Runs `storm(seed)` for each seed on each loop; the seed and loop are in the failure. */
const storms = (name: string, storm: (seed: number) => Effect.Effect<void, unknown>) => {
  for (const loop of [defaultLoop, fastLoop] as ReadonlyArray<Loop>) {
    test(`storm: ${name} (${loop.name}, seeds ${seeds[0]}…)`, async () => {
      for (const seed of seeds) {
        try {
          await Effect.runPromise(withLoop(loop)(storm(seed)))
        } catch (error) {
          throw new Error(`${name} failed with seed ${seed} on ${loop.name}: ${error}`, {
            cause: error,
          })
        }
      }
    })
  }
}

/**
 * `fibers` fibers each take a permit `rounds` times, hold it a random number
 * of turns, give it back; the storm interrupts random fibers meanwhile.
 * Checks: never more than `permits` holders; once the storm is over every
 * fiber ends (a lost permit or wake-up would leave some waiting forever) and
 * all permits are free again.
 */
const permitStorm = (
  seed: number,
  permits: number,
  make: () => { withPermit: <A>(e: Effect.Effect<A>) => Effect.Effect<A>; free: () => boolean },
) =>
  Effect.gen(function* () {
    const random = prng(seed)
    const primitive = make()
    let holders = 0
    let most = 0
    let completed = 0
    const worker = (rounds: number, hold: ReadonlyArray<number>) =>
      Effect.gen(function* () {
        for (let r = 0; r < rounds; r++) {
          yield* primitive.withPermit(Effect.gen(function* () {
            most = Math.max(most, ++holders)
            yield* Effect.ensuring(turns(hold[r]), Effect.sync(() => holders--))
          }))
          completed++
        }
      })
    const fibers: Array<Fiber.Fiber<void>> = []
    for (let i = 0; i < 60; i++) {
      const hold = Array.from({ length: 5 }, () => Math.floor(random() * 3))
      fibers.push(yield* Effect.forkChild(worker(5, hold)))
    }
    for (let step = 0; step < 120; step++) {
      const fiber = fibers[Math.floor(random() * fibers.length)]
      if (random() < 0.3) fiber.interruptUnsafe()
      yield* turns(Math.floor(random() * 3))
    }
    // The storm is over: every fiber must end (by completing or by its interruption).
    const exits = yield* Effect.timeoutOption(
      Effect.forEach(fibers, Fiber.await),
      "30 seconds",
    )
    assert.ok(
      exits._tag === "Some",
      `seed ${seed}: fibers still waiting: a permit or wake-up was lost`,
    )
    assert.ok(most <= permits, `seed ${seed}: ${most} holders at once, limit ${permits}`)
    assert.equal(holders, 0)
    assert.ok(primitive.free(), `seed ${seed}: permits are missing after the storm`)
    assert.ok(completed > 0, `seed ${seed}: nothing completed`)
  })

storms("Lock", (seed) =>
  permitStorm(seed, 1, () => {
    const lock = Lock.makeUnsafe()
    return { withPermit: (e) => lock.withLock(e), free: () => !lock.lockedUnsafe() }
  }))

storms("Semaphore(3)", (seed) =>
  permitStorm(seed, 3, () => {
    const semaphore = Semaphore.makeUnsafe(3)
    return {
      withPermit: (e) => semaphore.withPermit(e),
      // All three permits are free: three acquires would not wait.
      free: () => {
        const free = !semaphore.lockedUnsafe()
        return free && Effect.runSync(Effect.gen(function* () {
          for (let i = 0; i < 3; i++) yield* semaphore.acquire
          const locked = semaphore.lockedUnsafe()
          for (let i = 0; i < 3; i++) yield* semaphore.release
          return locked
        }))
      },
    }
  }))

storms("Queue", (seed) =>
  Effect.gen(function* () {
    const random = prng(seed)
    const queue = Queue.makeUnsafe<number>({ maxsize: 1 + Math.floor(random() * 4) })
    const received: Array<number> = []
    const consumer = Effect.forever(Effect.gen(function* () {
      received.push(yield* queue.get)
      yield* turns(Math.floor(random() * 2))
    }))
    let put = 0
    // An item whose put was interrupted before it went in is not in the queue: not a loss.
    const notPut = new Set<number>()
    const producer = (count: number) =>
      Effect.gen(function* () {
        for (let i = 0; i < count; i++) {
          const item = put++
          yield* Effect.onInterrupt(queue.put(item), () => Effect.sync(() => notPut.add(item)))
        }
      })
    const consumers: Array<Fiber.Fiber<never, unknown>> = []
    const producers: Array<Fiber.Fiber<void, unknown>> = []
    for (let i = 0; i < 20; i++) consumers.push(yield* Effect.forkChild(consumer))
    for (let i = 0; i < 10; i++) producers.push(yield* Effect.forkChild(producer(20)))
    /** The consumer that has waited longest (they wait in the order they were made). */
    const firstRunning = () => consumers.find((c) => c.pollUnsafe() === undefined)
    for (let step = 0; step < 300; step++) {
      const r = random()
      if (r < 0.25) {
        // Put one and interrupt a waiting consumer before it runs: likely the one just woken.
        if (!(yield* queue.full)) {
          yield* queue.putNowait(put++)
          firstRunning()?.interruptUnsafe()
        }
      } else if (r < 0.35) consumers[Math.floor(random() * consumers.length)].interruptUnsafe()
      else if (r < 0.4) producers[Math.floor(random() * producers.length)].interruptUnsafe()
      else if (r < 0.55) consumers.push(yield* Effect.forkChild(consumer))
      yield* turns(Math.floor(random() * 3))
    }
    yield* Effect.forEach(producers, Fiber.await)
    yield* turns(10)
    // Consumers still wait, so nothing may be left queued: a getter woken and then
    // interrupted must have passed its wake-up on.
    if (consumers.some((c) => c.pollUnsafe() === undefined)) {
      assert.equal(yield* queue.qsize, 0, `seed ${seed}: items stuck while consumers wait`)
    }
    while ((yield* queue.qsize) > 0) received.push(yield* queue.getNowait)
    const sorted = [...received].sort((a, b) => a - b)
    const expected = Array.from({ length: put }, (_, i) => i).filter((i) => !notPut.has(i))
    assert.deepEqual(sorted, expected, `seed ${seed}: items lost or duplicated`)
    yield* Fiber.interruptAll(consumers)
  }))

storms("Condition notify(1)", (seed) =>
  Effect.gen(function* () {
    const random = prng(seed)
    const condition = Condition.makeUnsafe()
    const waiters = 40
    let returned = 0
    const fibers: Array<Fiber.Fiber<unknown, unknown>> = []
    for (let i = 0; i < waiters; i++) {
      fibers.push(
        yield* Effect.forkChild(condition.withLock(
          Effect.andThen(condition.wait, Effect.sync(() => returned++)),
        )),
      )
    }
    yield* turns(3)
    let notifications = 0
    const interrupted = new Set<number>()
    for (let step = 0; step < 60; step++) {
      const r = random()
      if (r < 0.4) {
        yield* condition.withLock(condition.notify(1))
        notifications++
        // Interrupt the waiter that has waited longest, often the one just notified.
        const first = fibers.findIndex((f) => f.pollUnsafe() === undefined)
        if (first !== -1 && random() < 0.5) {
          interrupted.add(first)
          fibers[first].interruptUnsafe()
        }
      } else if (r < 0.7) {
        const i = Math.floor(random() * waiters)
        // Only a fiber still running can be interrupted; one that returned is done.
        if (fibers[i].pollUnsafe() === undefined) {
          interrupted.add(i)
          fibers[i].interruptUnsafe()
        }
      }
      yield* turns(Math.floor(random() * 3))
    }
    yield* turns(10)
    // A fiber interrupted after it returned does not count as interrupted.
    const lostToInterrupts = [...interrupted].filter((i) =>
      fibers[i].pollUnsafe()?._tag === "Failure"
    ).length
    assert.equal(
      returned,
      Math.min(notifications, waiters - lostToInterrupts),
      `seed ${seed}: ${notifications} notifications, ${lostToInterrupts} interrupted, ` +
        `${returned} returned: a notification was lost`,
    )
    assert.equal(condition.lock.lockedUnsafe(), false, `seed ${seed}: the lock was left held`)
    yield* Fiber.interruptAll(fibers)
  }))
