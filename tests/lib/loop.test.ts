import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Fiber, ManagedRuntime, Scheduler } from "effect"
import { TestClock } from "effect/testing"
import {
  callAt,
  callLater,
  callSoon,
  fastLoop,
  loopInfo,
  loopLayer,
  makeFastLoop,
  makeLoop,
  time,
  withLoop,
} from "effect-asyncio/loop"
import { runtime } from "effect-asyncio/runtime"

/** A scoped test program under a TestClock: time only moves when the test moves it. */
const runTest = <A, E>(program: Effect.Effect<A, E, import("effect").Scope.Scope>) =>
  Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(TestClock.layer())))

test("callLater: callbacks run in due order; equal times keep scheduling order", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const note = (s: string) => Effect.sync(() => seen.push(s))
    yield* callLater(30, note("30 ms"))
    yield* callLater(10, note("10 ms first"))
    yield* callLater("20 millis", note("20 ms"))
    yield* callLater(10, note("10 ms second"))
    yield* callSoon(note("soon"))
    yield* Effect.yieldNow
    assert.deepEqual(seen, ["soon"])
    yield* TestClock.adjust(9)
    assert.deepEqual(seen, ["soon"])
    yield* TestClock.adjust(1)
    assert.deepEqual(seen, ["soon", "10 ms first", "10 ms second"])
    yield* TestClock.adjust(20)
    assert.deepEqual(seen, ["soon", "10 ms first", "10 ms second", "20 ms", "30 ms"])
  }))
})

test("callLater: the handle knows when it is due; cancel stops it before it runs", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const start = yield* time
    const kept = yield* callLater(10, Effect.sync(() => seen.push("kept")))
    const dropped = yield* callLater(10, Effect.sync(() => seen.push("dropped")))
    assert.equal(kept.when, start + 10)
    yield* TestClock.adjust(5)
    yield* dropped.cancel
    assert.equal(dropped.cancelled(), true)
    assert.equal(kept.cancelled(), false)
    yield* TestClock.adjust(10)
    assert.deepEqual(seen, ["kept"])
  }))
})

test("callLater: cancel after the callback started has no effect (asyncio's rule)", async () => {
  await runTest(Effect.gen(function* () {
    let finished = false
    const handle = yield* callLater(
      10,
      Effect.andThen(Effect.sleep(10), Effect.sync(() => (finished = true))),
    )
    yield* TestClock.adjust(15) // started, now inside its own sleep
    yield* handle.cancel
    assert.equal(handle.cancelled(), false)
    yield* TestClock.adjust(5)
    assert.equal(finished, true)
  }))
})

test("callSoon: runs after the caller yields, and can be cancelled before that", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    yield* callSoon(Effect.sync(() => seen.push("a")))
    const b = yield* callSoon(Effect.sync(() => seen.push("b")))
    assert.deepEqual(seen, [])
    yield* b.cancel
    yield* Effect.yieldNow
    assert.deepEqual(seen, ["a"])
    assert.equal(b.cancelled(), true)
  }))
})

test("callAt: runs at an absolute clock time; a past time runs on the next turn", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const now = yield* time
    const at = yield* callAt(now + 25, Effect.sync(() => seen.push("at 25")))
    yield* callAt(now - 5, Effect.sync(() => seen.push("past")))
    assert.equal(at.when, now + 25)
    yield* Effect.yieldNow
    assert.deepEqual(seen, ["past"])
    yield* TestClock.adjust(24)
    assert.deepEqual(seen, ["past"])
    yield* TestClock.adjust(1)
    assert.deepEqual(seen, ["past", "at 25"])
  }))
})

test("callLater: a callback not yet run is dropped when the scope closes", async () => {
  let ran = false
  const fiber = await Effect.runPromise(
    Effect.gen(function* () {
      const inner = yield* Effect.forkChild(
        Effect.scoped(callLater(10, Effect.sync(() => (ran = true)))),
      )
      yield* Fiber.join(inner)
      yield* TestClock.adjust(20)
      return inner
    }).pipe(Effect.provide(TestClock.layer())),
  )
  assert.ok(fiber.pollUnsafe())
  assert.equal(ran, false)
})

// --- loop swap ----------------------------------------------------------------

/** The loop names seen by a fiber, its child, a grandchild, a detached fiber and gather's fibers. */
const loopsSeenByForks = Effect.scoped(Effect.gen(function* () {
  const name = Effect.map(loopInfo(), (info) => info.loop)
  const self = yield* name
  const child = yield* Fiber.join(yield* Effect.forkChild(name))
  const grandchild = yield* Fiber.join(
    yield* Effect.forkChild(Effect.flatMap(Effect.forkChild(name), Fiber.join)),
  )
  const detached = yield* Fiber.join(yield* Effect.forkDetach(name))
  const scoped = yield* Fiber.join(yield* Effect.forkScoped(name))
  const all = yield* Effect.all([name, name], { concurrency: "unbounded" })
  return [...new Set([self, child, grandchild, detached, scoped, ...all])]
}))

test("loop: programs run on defaultLoop (Effect's MixedScheduler) unless told otherwise", async () => {
  const info = await Effect.runPromise(loopInfo())
  assert.equal(info.loop, "defaultLoop")
  assert.match(info.scheduler, /MixedScheduler/)
  assert.equal(info.maxOpsBeforeYield, 2048)
  assert.deepEqual(await Effect.runPromise(loopsSeenByForks), ["defaultLoop"])
})

test("loop: withLoop swaps the loop for a region; every fiber forked inside inherits it", async () => {
  const [before, inside, after] = await Effect.runPromise(Effect.gen(function* () {
    const before = yield* loopsSeenByForks
    const inside = yield* withLoop(fastLoop)(loopsSeenByForks)
    return [before, inside, yield* loopsSeenByForks]
  }))
  assert.deepEqual(before, ["defaultLoop"])
  assert.deepEqual(inside, ["fastLoop"])
  assert.deepEqual(after, ["defaultLoop"])
})

test("loop: the swapped-in scheduler really dispatches the fibers", async () => {
  const loop = makeFastLoop({ name: "counted" })
  const n = 1_000
  const yields = Effect.all(
    Array.from({ length: n }, (_, i) => Effect.as(Effect.yieldNow, i)),
    { concurrency: "unbounded" },
  )
  await Effect.runPromise(yields)
  assert.equal(loop.scheduler.stats.tasks, 0, "nothing ran on it before the swap")
  const result = await Effect.runPromise(withLoop(loop)(yields))
  assert.equal(result.length, n)
  // Every fiber's yield went through the loop's one queue.
  assert.ok(loop.scheduler.stats.tasks >= n, `dispatched ${loop.scheduler.stats.tasks} tasks`)
})

test("loop: loopLayer installs the loop for a whole program and for a ManagedRuntime", async () => {
  const viaLayer = await Effect.runPromise(
    Effect.provide(loopsSeenByForks, loopLayer(fastLoop)),
  )
  assert.deepEqual(viaLayer, ["fastLoop"])
  const managed = ManagedRuntime.make(loopLayer(fastLoop))
  try {
    assert.deepEqual(await managed.runPromise(loopsSeenByForks), ["fastLoop"])
  } finally {
    await managed.dispose()
  }
})

test("loop: a loop can set MaxOpsBeforeYield; loopInfo reports it and the host runtime", async () => {
  const loop = makeLoop({
    name: "eager",
    description: "MixedScheduler yielding every 64 ops",
    scheduler: new Scheduler.MixedScheduler(),
    maxOpsBeforeYield: 64,
  })
  const info = await Effect.runPromise(withLoop(loop)(loopInfo()))
  assert.equal(info.loop, "eager")
  assert.equal(info.maxOpsBeforeYield, 64)
  assert.equal(info.runtime, runtime.name)
  assert.equal(info.hostLoop, runtime.hostLoop)
  assert.match(info.hostLoop, runtime.name === "deno" ? /tokio/ : /Bun/)
})

// --- fairness -----------------------------------------------------------------

/**
 * Runs `spinners` beside a fiber that sleeps 10 ms in a loop, until the timer
 * has fired 5 times and every spinner has spun 10 times. Fairness is that both
 * happen: a starved timer (or a starved spinner) leaves the spinners spinning
 * until the 10 s guard, and the test fails. Counts, not lateness: a busy
 * machine slows both sides alike. How late timers run is speed, measured in
 * bench/loop-swap.bench.ts.
 */
const timerBeside = (spinner: (stop: () => boolean) => Effect.Effect<number>, spinners: number) =>
  Effect.gen(function* () {
    const guard = performance.now() + 10_000
    let ticks = 0
    let spun = 0 // spinners that have spun 10 times
    const timer = yield* Effect.forkChild(Effect.forever(
      Effect.andThen(Effect.sleep(10), Effect.sync(() => ticks++)),
    ))
    const spins = yield* Effect.all(
      Array.from({ length: spinners }, () => {
        let mine = 0
        return spinner(() => {
          if (mine++ === 10) spun++ // checked before each spin: the 11th check follows the 10th spin
          return (ticks >= 5 && spun === spinners) || performance.now() > guard
        })
      }),
      { concurrency: "unbounded" },
    )
    yield* Fiber.interrupt(timer)
    return { ticks, minSpins: Math.min(...spins), guardHit: performance.now() > guard }
  })

const assertFair = (run: { ticks: number; minSpins: number; guardHit: boolean }) => {
  assert.ok(!run.guardHit, `starved for 10 s: ${run.ticks} ticks, a spinner spun ${run.minSpins}`)
  assert.ok(run.ticks >= 5 && run.minSpins >= 10, JSON.stringify(run))
}

const yieldSpinner = (stop: () => boolean) =>
  Effect.gen(function* () {
    let spins = 0
    while (!stop()) {
      yield* Effect.yieldNow
      spins++
    }
    return spins
  })

test("fairness: a 10 ms timer keeps firing while 1 000 fibers spin-yield on fastLoop", async () => {
  const loop = makeFastLoop()
  assertFair(await Effect.runPromise(withLoop(loop)(timerBeside(yieldSpinner, 1_000))))
  assert.ok(loop.scheduler.stats.macrotasks >= 5, "the scheduler hopped through the host loop")
})

test("fairness: fibers awaiting resolved promises in a loop cannot starve the timer on fastLoop", async () => {
  // Each resume comes from a promise job (a microtask), so only the slice
  // budget that spans microtask-started drains lets the host loop run.
  const promiseSpinner = (stop: () => boolean) =>
    Effect.gen(function* () {
      let spins = 0
      while (!stop()) {
        yield* Effect.promise(() => Promise.resolve())
        yield* Effect.yieldNow
        spins++
      }
      return spins
    })
  assertFair(await Effect.runPromise(withLoop(makeFastLoop())(timerBeside(promiseSpinner, 100))))
})
