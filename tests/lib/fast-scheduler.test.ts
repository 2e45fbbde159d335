import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Scheduler } from "effect"
import { FastScheduler } from "../../lib/loop/fast-scheduler.ts"

test("FastScheduler: one dispatcher shared by every fiber, tasks in FIFO order", async () => {
  const scheduler = new FastScheduler()
  const dispatcher = scheduler.makeDispatcher()
  assert.equal(scheduler.makeDispatcher(), dispatcher)
  const seen: Array<number> = []
  await new Promise<void>((resolve) => {
    for (let i = 0; i < 5_000; i++) dispatcher.scheduleTask(() => seen.push(i), 0)
    dispatcher.scheduleTask(resolve, 0)
  })
  assert.deepEqual(seen, Array.from({ length: 5_000 }, (_, i) => i))
  assert.equal(scheduler.stats.tasks, 5_001)
})

test("FastScheduler: runs nothing inside scheduleTask; tasks scheduled by tasks run in the same pass", async () => {
  const scheduler = new FastScheduler()
  const dispatcher = scheduler.makeDispatcher()
  const seen: Array<string> = []
  await new Promise<void>((resolve) => {
    dispatcher.scheduleTask(() => {
      seen.push("a")
      dispatcher.scheduleTask(() => {
        seen.push("c")
        resolve()
      }, 0)
    }, 0)
    dispatcher.scheduleTask(() => seen.push("b"), 0)
    assert.deepEqual(seen, [], "scheduleTask must not run the task inline")
  })
  assert.deepEqual(seen, ["a", "b", "c"])
  assert.equal(scheduler.stats.macrotasks, 1, "one macrotask booked for the whole busy stretch")
})

test("FastScheduler: lower priorities first; a positive priority waits for the FIFO to empty", () => {
  const dispatcher = new FastScheduler().makeDispatcher()
  const seen: Array<string> = []
  dispatcher.scheduleTask(() => seen.push("0a"), 0)
  dispatcher.scheduleTask(() => seen.push("+5"), 5)
  dispatcher.scheduleTask(() => seen.push("-1"), -1)
  dispatcher.scheduleTask(() => seen.push("+1"), 1)
  dispatcher.scheduleTask(() => seen.push("0b"), 0)
  dispatcher.flush()
  assert.deepEqual(seen, ["-1", "0a", "0b", "+1", "+5"])
})

test("FastScheduler: flush drains everything synchronously, including what tasks schedule", () => {
  const dispatcher = new FastScheduler().makeDispatcher()
  let count = 0
  const again = () => {
    if (++count < 100) dispatcher.scheduleTask(again, 0)
  }
  dispatcher.scheduleTask(again, 0)
  dispatcher.flush()
  assert.equal(count, 100)
})

test("FastScheduler: the ring buffer grows and keeps order across the wrap-around", () => {
  const dispatcher = new FastScheduler().makeDispatcher()
  const seen: Array<number> = []
  // Half-fill, drain, then push past the initial capacity so the ring wraps and grows.
  for (let i = 0; i < 700; i++) dispatcher.scheduleTask(() => seen.push(i), 0)
  dispatcher.flush()
  for (let i = 700; i < 3_000; i++) dispatcher.scheduleTask(() => seen.push(i), 0)
  dispatcher.flush()
  assert.deepEqual(seen, Array.from({ length: 3_000 }, (_, i) => i))
})

test("FastScheduler: provided as Scheduler.Scheduler, fibers run on it and results are right", async () => {
  const scheduler = new FastScheduler()
  const n = 2_000
  const result = await Effect.runPromise(
    Effect.all(Array.from({ length: n }, (_, i) => Effect.as(Effect.yieldNow, i)), {
      concurrency: "unbounded",
    }).pipe(Effect.provideService(Scheduler.Scheduler, scheduler)),
  )
  assert.deepEqual(result, Array.from({ length: n }, (_, i) => i))
  assert.ok(scheduler.stats.tasks >= n)
})

test("FastScheduler: a long run of tasks is cut into slices with macrotask hops between", async () => {
  const scheduler = new FastScheduler({ sliceMillis: 1 })
  const dispatcher = scheduler.makeDispatcher()
  // Tasks reschedule themselves until a host timer has run twice: without
  // the hops the timer never runs, and only the 10 s guard ends the spin.
  const guard = performance.now() + 10_000
  let timerRan = 0
  const timer = setInterval(() => timerRan++, 5)
  await new Promise<void>((resolve) => {
    const spin = () => {
      if (timerRan < 2 && performance.now() < guard) dispatcher.scheduleTask(spin, 0)
      else resolve()
    }
    dispatcher.scheduleTask(spin, 0)
  })
  clearInterval(timer)
  assert.ok(timerRan >= 2, "a host timer ran while the tasks spun")
  assert.ok(scheduler.stats.macrotasks >= 2, `${scheduler.stats.macrotasks} hops`)
})
