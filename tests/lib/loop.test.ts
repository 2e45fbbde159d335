import { test } from "node:test"
import assert from "node:assert/strict"
import { Cause, Duration, Effect, Exit, Fiber, ManagedRuntime, Scheduler, Scope } from "effect"
import { TestClock } from "effect/testing"
import {
  callAt,
  callLater,
  callSoon,
  defaultExceptionHandler,
  type ExceptionContext,
  fastLoop,
  getExceptionHandler,
  getRunningLoop,
  loopInfo,
  loopLayer,
  makeFastLoop,
  makeLoop,
  time,
  withExceptionHandler,
  withLoop,
} from "effect-asyncio/loop"
import { runtime } from "../../lib/internal/runtime.ts"
import { timerQueue } from "../../lib/loop/timer-queues.ts"

/** A scoped test program under a TestClock: time only moves when the test moves it. */
const runTest = <A, E>(program: Effect.Effect<A, E, import("effect").Scope.Scope>) =>
  Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(TestClock.layer())))

test("callLater: callbacks run in due order; equal times keep scheduling order", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const note = (s: string) => Effect.sync(() => seen.push(s))
    yield* callLater("30 millis", note("30 ms"))
    yield* callLater("10 millis", note("10 ms first"))
    yield* callLater("20 millis", note("20 ms"))
    yield* callLater("10 millis", note("10 ms second"))
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

/**
 * A loop whose dispatcher runs tasks only when the test says so: it stands in
 * for a busy loop, where a callback's fiber starts well after the call.
 */
const manualLoop = () => {
  const tasks: Array<() => void> = []
  const scheduler: Scheduler.Scheduler = {
    executionMode: "async",
    shouldYield: () => false,
    makeDispatcher: () => ({
      scheduleTask: (task) => void tasks.push(task),
      flush: () => {
        while (tasks.length > 0) tasks.shift()!()
      },
    }),
  }
  const loop = makeLoop({ name: "manual", description: "run by the test", scheduler })
  return { loop, flush: () => scheduler.makeDispatcher().flush() }
}

test("callLater: the delay counts from the call, not from when the loop gets to it", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const { loop, flush } = manualLoop()
    yield* withLoop(loop)(callLater("10 millis", Effect.sync(() => seen.push("due at 10"))))
    yield* TestClock.adjust(5) // the loop is busy for 5 ms before its next turn
    flush()
    yield* TestClock.adjust(5)
    flush()
    assert.deepEqual(seen, ["due at 10"])
  }))
})

test("callLater: the handle knows when it is due; cancel stops it before it runs", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const start = yield* time
    const kept = yield* callLater("10 millis", Effect.sync(() => seen.push("kept")))
    const dropped = yield* callLater("10 millis", Effect.sync(() => seen.push("dropped")))
    // `time` and `when` are loop seconds, as in asyncio; the delay is a Duration (10 ms).
    assert.ok(Math.abs(kept.when - (start + 0.01)) < 1e-9, `when ${kept.when}`)
    yield* TestClock.adjust(5)
    yield* dropped.cancel
    assert.equal(dropped.cancelled(), true)
    assert.equal(kept.cancelled(), false)
    yield* TestClock.adjust(10)
    assert.deepEqual(seen, ["kept"])
  }))
})

test("callLater: cancel after the callback started stops nothing, yet cancelled() is true (asyncio's rule)", async () => {
  await runTest(Effect.gen(function* () {
    let finished = false
    const handle = yield* callLater(
      "10 millis",
      Effect.andThen(Effect.sleep(10), Effect.sync(() => (finished = true))),
    )
    yield* TestClock.adjust(15) // started, now inside its own sleep
    yield* handle.cancel
    assert.equal(handle.cancelled(), true)
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

test("callAt: runs at a time of the loop clock (seconds); a past time runs on the next turn", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const now = yield* time
    const at = yield* callAt(now + 0.025, Effect.sync(() => seen.push("at 25")))
    yield* callAt(now - 0.005, Effect.sync(() => seen.push("past")))
    assert.equal(at.when, now + 0.025)
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
        Effect.scoped(callLater("10 millis", Effect.sync(() => (ran = true)))),
      )
      yield* Fiber.join(inner)
      yield* TestClock.adjust(20)
      return inner
    }).pipe(Effect.provide(TestClock.layer())),
  )
  assert.ok(fiber.pollUnsafe())
  assert.equal(ran, false)
})

// --- the timer queue -----------------------------------------------------------

test("callLater: a plain function runs with its arguments, in deadline order beside Effects", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const note = (what: string, n: number) => seen.push(`${what} ${n}`)
    yield* callLater("20 millis", note, "function", 20)
    yield* callLater("10 millis", Effect.sync(() => seen.push("effect 10")))
    yield* callLater("10 millis", note, "function", 10)
    yield* callSoon(note, "soon", 0)
    yield* TestClock.adjust(20)
    assert.deepEqual(seen, ["soon 0", "effect 10", "function 10", "function 20"])
  }))
})

test("callLater: one batch runs what is due; what it schedules for now runs after the batch", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    yield* callLater(
      "10 millis",
      Effect.gen(function* () {
        seen.push("a")
        yield* callLater("0 millis", () => seen.push("c (scheduled by a)"))
        yield* callSoon(() => seen.push("d (soon, by a)"))
      }),
    )
    yield* callLater("10 millis", () => seen.push("b"))
    yield* TestClock.adjust(10)
    yield* Effect.yieldNow
    assert.deepEqual(seen.slice(0, 2), ["a", "b"])
    assert.deepEqual(seen.slice(2).sort(), ["c (scheduled by a)", "d (soon, by a)"])
  }))
})

test("callLater: one heap and one host timer per loop; cancelling the last disarms it", async () => {
  await runTest(Effect.gen(function* () {
    const handles = []
    for (let i = 0; i < 100; i++) handles.push(yield* callLater(Duration.millis(10 + i), () => {}))
    const queue = yield* timerQueue
    assert.equal(queue.size, 100)
    assert.equal(queue.armed, true)
    for (const handle of handles.slice(1)) yield* handle.cancel
    assert.equal(queue.size, 1)
    yield* handles[0].cancel
    assert.equal(queue.size, 0)
    assert.equal(queue.armed, false, "no host timer is left behind")
    assert.ok(handles.every((h) => h.cancelled()))
  }))
})

test("callLater: cancel removes any entry, in any order, and the rest still run in order", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<number> = []
    const delays = Array.from({ length: 200 }, (_, i) => (i * 37) % 101)
    const handles = []
    for (const delay of delays) {
      handles.push(yield* callLater(Duration.millis(delay), () => seen.push(delay)))
    }
    for (let i = 0; i < handles.length; i += 3) yield* handles[i].cancel
    yield* TestClock.adjust(200)
    const kept = delays.filter((_, i) => i % 3 !== 0)
    assert.deepEqual(seen, [...kept].sort((a, b) => a - b))
  }))
})

test("callLater: the scope gets one finalizer, however many callbacks are pending", async () => {
  const scope = Scope.makeUnsafe()
  let ran = 0
  await Effect.runPromise(
    Effect.gen(function* () {
      for (let i = 0; i < 1_000; i++) yield* callLater("10 millis", () => ran++)
      yield* callSoon(() => ran++)
    }).pipe(Scope.provide(scope), Effect.provide(TestClock.layer())),
  )
  const state = scope.state
  assert.equal(state._tag, "Open")
  assert.equal(
    state._tag === "Open" && state.finalizers === undefined,
    true,
    "exactly one finalizer",
  )
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(ran, 0)
})

test("callLater: an Effect that suspends keeps its fiber, interrupted when the scope closes", async () => {
  let interrupted = false
  let sync = 0
  await runTest(Effect.gen(function* () {
    yield* callLater("10 millis", Effect.sync(() => sync++))
    yield* callLater(
      "10 millis",
      Effect.sleep(100).pipe(Effect.onInterrupt(() => Effect.sync(() => (interrupted = true)))),
    )
    yield* TestClock.adjust(10)
    assert.equal(sync, 1)
  }))
  assert.equal(interrupted, true)
})

test("callLater: a negative delay runs on the next turn; NaN is a clear defect", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    yield* callLater("-5 millis", () => seen.push("negative"))
    assert.deepEqual(seen, [])
    yield* Effect.yieldNow
    assert.deepEqual(seen, ["negative"])
    for (const bad of [callLater(NaN as Duration.Input, () => {}), callAt(NaN, () => {})]) {
      const exit = yield* Effect.exit(bad)
      assert.ok(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      assert.match(String(Cause.squash(exit.cause)), /must be a number, got NaN/)
    }
  }))
})

test("time: the loop clock is monotonic seconds, moved by TestClock", async () => {
  await runTest(Effect.gen(function* () {
    const start = yield* time
    yield* TestClock.adjust("1500 millis")
    assert.equal((yield* time) - start, 1.5)
  }))
})

test("getRunningLoop: the same queue through synchronous methods, as asyncio's loop object", async () => {
  await runTest(Effect.gen(function* () {
    const seen: Array<string> = []
    const loop = yield* getRunningLoop
    const start = loop.time()
    yield* callLater("10 millis", () => seen.push("effect API, 10 ms"))
    const handle = loop.callLater("10 millis", (what: string) => seen.push(what), "method, 10 ms")
    loop.callAt(start + 0.005, () => seen.push("method, at 5 ms"))
    loop.callLater("20 millis", Effect.sync(() => seen.push("method, Effect, 20 ms")))
    loop.callSoon(() => seen.push("soon"))
    assert.ok(Math.abs(handle.when - (start + 0.01)) < 1e-9)
    assert.throws(
      () => loop.callLater(NaN as Duration.Input, () => {}),
      /must be a number, got NaN/,
    )
    yield* TestClock.adjust(20)
    assert.deepEqual(seen, [
      "soon",
      "method, at 5 ms",
      "effect API, 10 ms",
      "method, 10 ms",
      "method, Effect, 20 ms",
    ])
    assert.equal(loop.time() - start, 0.02)
  }))
})

// --- the exception handler -------------------------------------------------------

test("exception handler: a callback that throws or fails is reported, and the loop goes on", async () => {
  const reports: Array<ExceptionContext> = []
  const seen: Array<string> = []
  await runTest(
    Effect.gen(function* () {
      yield* callLater("10 millis", function explode() {
        throw new Error("thrown")
      })
      yield* callLater("10 millis", Effect.fail("failed"))
      yield* callLater("10 millis", Effect.andThen(Effect.sleep(5), Effect.die(new Error("later"))))
      yield* callLater("10 millis", () => seen.push("still runs"))
      yield* TestClock.adjust(15)
    }).pipe(withExceptionHandler((context) => reports.push(context))),
  )
  assert.deepEqual(seen, ["still runs"])
  assert.deepEqual(reports.map((r) => r.message), [
    "Exception in callback explode",
    "Exception in callback <effect>",
    "Exception in callback <effect>",
  ])
  assert.match(Cause.pretty(reports[0].cause), /thrown/)
  assert.deepEqual(Cause.squash(reports[1].cause), "failed")
  assert.match(Cause.pretty(reports[2].cause), /later/)
})

test("exception handler: the default writes the callback's name and the stack to stderr", async () => {
  assert.equal(await Effect.runPromise(getExceptionHandler), defaultExceptionHandler)
  const written: Array<string> = []
  const original = console.error
  console.error = (...args: Array<unknown>) => void written.push(args.join(" "))
  try {
    await runTest(Effect.gen(function* () {
      yield* callSoon(function trigger() {
        throw new Error("boom")
      })
      yield* Effect.yieldNow
    }))
  } finally {
    console.error = original
  }
  assert.equal(written.length, 1)
  assert.match(written[0], /^Exception in callback trigger\n/)
  assert.match(written[0], /Error: boom\n\s+at /)
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
