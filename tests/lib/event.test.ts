import { test } from "node:test"
import assert from "node:assert/strict"
import process from "node:process"
import { Cause, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as Event from "effect-asyncio/event"
import { fastLoop, withLoop } from "effect-asyncio/loop"

/** Forks a waiter that runs up to its `wait` at once, and notes its name when woken. */
const waiter = (event: Event.Event, name: string, woken: Array<string>) =>
  Effect.forkChild(
    Effect.andThen(event.wait, Effect.sync(() => woken.push(name))),
    { startImmediately: true },
  )

/** Lets every task that is already scheduled run (woken waiters resume in one scheduled task). */
const settle = Effect.andThen(Effect.yieldNow, Effect.yieldNow)

test("event: starts cleared; set, clear and isSet", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const event = yield* Event.make
    assert.equal(yield* event.isSet, false)
    yield* event.set
    yield* event.set // setting twice is harmless
    assert.equal(yield* event.isSet, true)
    assert.equal(event.isSetUnsafe(), true)
    yield* event.clear
    yield* event.clear
    assert.equal(yield* event.isSet, false)
  }))
})

test("event: a wait after set returns at once, with true", () => {
  // runSync fails if anything suspends: the wait must not.
  const result = Effect.runSync(Effect.gen(function* () {
    const event = yield* Event.make
    yield* event.set
    return [yield* event.wait, yield* event.wait]
  }))
  assert.deepEqual(result, [true, true])
})

test("event: a wait before set suspends until set", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const event = yield* Event.make
    const fiber = yield* Effect.forkChild(event.wait, { startImmediately: true })
    yield* settle
    assert.equal(fiber.pollUnsafe(), undefined)
    yield* event.set
    assert.equal(yield* Fiber.join(fiber), true)
  }))
})

test("event: set wakes every current waiter even if clear follows immediately", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const event = yield* Event.make
    const woken: Array<string> = []
    yield* waiter(event, "a", woken)
    yield* waiter(event, "b", woken)
    yield* event.set
    yield* event.clear
    // A waiter that comes after the clear is not part of that set.
    const late = yield* waiter(event, "late", woken)
    yield* settle
    assert.deepEqual(woken, ["a", "b"])
    assert.equal(late.pollUnsafe(), undefined)
    yield* event.set
    yield* settle
    assert.deepEqual(woken, ["a", "b", "late"])
  }))
})

test("event: waiters are woken in FIFO order", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const event = yield* Event.make
    const woken: Array<string> = []
    const names = Array.from({ length: 50 }, (_, i) => `w${i}`)
    for (const name of names) yield* waiter(event, name, woken)
    yield* event.set
    yield* settle
    assert.deepEqual(woken, names)
  }))
})

test("event: woken waiters run after the setter yields, as asyncio schedules them", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const event = yield* Event.make
    const woken: Array<string> = []
    yield* waiter(event, "a", woken)
    yield* event.set
    assert.deepEqual(woken, [], "set must not run the waiter inside the setter")
    yield* settle
    assert.deepEqual(woken, ["a"])
  }))
})

test("event: an interrupted waiter leaves no trace", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const event = yield* Event.make
    const woken: Array<string> = []
    yield* waiter(event, "a", woken)
    const b = yield* waiter(event, "b", woken)
    yield* waiter(event, "c", woken)
    yield* Fiber.interrupt(b)
    assert.ok(Exit.hasInterrupts(yield* Fiber.await(b)))
    yield* event.set
    yield* settle
    assert.deepEqual(woken, ["a", "c"])
  }))
})

test("event: a waiter interrupted after set but before it ran is not resumed", async () => {
  await Effect.runPromise(Effect.gen(function* () {
    const event = yield* Event.make
    const woken: Array<string> = []
    const a = yield* waiter(event, "a", woken)
    yield* waiter(event, "b", woken)
    yield* event.set
    a.interruptUnsafe()
    yield* settle
    assert.deepEqual(woken, ["b"])
    assert.ok(Exit.hasInterrupts(a.pollUnsafe()!))
  }))
})

test("event: waitFor returns true when set within the limit (TestClock)", async () => {
  await Effect.runPromise(
    Effect.gen(function* () {
      const event = yield* Event.make
      const fiber = yield* Effect.forkChild(event.waitFor("50 millis"))
      yield* TestClock.adjust("20 millis")
      yield* event.set
      assert.equal(yield* Fiber.join(fiber), true)
    }).pipe(Effect.provide(TestClock.layer())),
  )
})

test("event: waitFor fails with a TimeoutError past the limit and withdraws the waiter", async () => {
  await Effect.runPromise(
    Effect.gen(function* () {
      const event = yield* Event.make
      const woken: Array<string> = []
      const timed = yield* Effect.forkChild(event.waitFor("50 millis"))
      yield* waiter(event, "other", woken)
      yield* TestClock.adjust("49 millis")
      assert.equal(timed.pollUnsafe(), undefined)
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(timed)
      assert.ok(Exit.isFailure(exit) && Cause.isTimeoutError(Cause.squash(exit.cause)))
      yield* event.set
      yield* settle
      assert.deepEqual(woken, ["other"])
    }).pipe(Effect.provide(TestClock.layer())),
  )
})

// --- randomized model test ---------------------------------------------------

/** mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/**
 * asyncio's Event as a model: `waiting` are suspended waiters in FIFO order,
 * `pending` are woken by a `set` but not yet run, `log` is the order in which
 * waiters actually return. An immediate wait returns at once; a woken waiter
 * returns when the setter yields (`settle`); an interrupted one never returns.
 */
class Model {
  isSet = false
  waiting: Array<number> = []
  pending: Array<number> = []
  log: Array<number> = []
  wait(id: number) {
    if (this.isSet) this.log.push(id)
    else this.waiting.push(id)
  }
  set() {
    if (this.isSet) return
    this.isSet = true
    this.pending.push(...this.waiting)
    this.waiting = []
  }
  clear() {
    this.isSet = false
  }
  interrupt(id: number) {
    this.waiting = this.waiting.filter((w) => w !== id)
    this.pending = this.pending.filter((w) => w !== id)
  }
  settle() {
    this.log.push(...this.pending)
    this.pending = []
  }
}

/**
 * Runs `steps` random operations (wait, set, clear, interrupt, settle) on an
 * Event and on the model, then checks that the same waiters returned, in the
 * same order, and that the same ones are still waiting: no lost wake-up, no
 * spurious one, FIFO kept.
 */
const randomRun = (seed: number, steps = 400) =>
  Effect.gen(function* () {
    const random = prng(seed)
    const event = yield* Event.make
    const model = new Model()
    const log: Array<number> = []
    const fibers: Array<Fiber.Fiber<unknown>> = []
    const trace: Array<string> = []
    for (let step = 0; step < steps; step++) {
      const r = random()
      if (r < 0.4) {
        const id = fibers.length
        trace.push(`wait ${id}`)
        model.wait(id)
        fibers.push(
          yield* Effect.forkChild(Effect.andThen(event.wait, Effect.sync(() => log.push(id))), {
            startImmediately: true,
          }),
        )
      } else if (r < 0.55) {
        trace.push("set")
        model.set()
        yield* event.set
      } else if (r < 0.7) {
        trace.push("clear")
        model.clear()
        yield* event.clear
      } else if (r < 0.8 && fibers.length > 0) {
        const id = Math.floor(random() * fibers.length)
        trace.push(`interrupt ${id}`)
        model.interrupt(id)
        fibers[id].interruptUnsafe()
      } else {
        trace.push("settle")
        model.settle()
        yield* settle
      }
      const detail = () => `seed ${seed}, step ${step}: ${trace.slice(-12).join(", ")}`
      assert.equal(yield* event.isSet, model.isSet, detail())
      assert.deepEqual(log, model.log, `woken order differs from the model (${detail()})`)
    }
    model.settle()
    yield* settle
    const stillWaiting = fibers.flatMap((f, id) =>
      f.pollUnsafe() === undefined && !log.includes(id) ? [id] : []
    )
    assert.deepEqual(log, model.log, `seed ${seed}: final woken order differs from the model`)
    assert.deepEqual(stillWaiting, model.waiting, `seed ${seed}: waiting set differs`)
    yield* Effect.forEach(fibers, Fiber.interrupt)
    return log.length
  })

test("event: randomized set/clear/wait/interrupt runs match asyncio's model (fixed seeds)", async () => {
  const base = Number(process.env.EVENT_SEED ?? 20261125)
  let woken = 0
  for (let i = 0; i < 25; i++) woken += await Effect.runPromise(randomRun(base + i))
  assert.ok(woken > 100, `the runs woke only ${woken} waiters: too few to test anything`)
})

test("event: the randomized runs match the model on fastLoop too", async () => {
  const base = Number(process.env.EVENT_SEED ?? 20261125)
  let woken = 0
  for (let i = 0; i < 25; i++) {
    woken += await Effect.runPromise(withLoop(fastLoop)(randomRun(base + i)))
  }
  assert.ok(woken > 100, `the runs woke only ${woken} waiters: too few to test anything`)
})
