/**
 * Bench for recipes/event.ts — asyncio.Event, on each loop.
 *
 * Workloads (names and sizes from bench/workloads.json; defaultLoop is the
 * baseline, a raw-Promise version beside it):
 * - event fan-out: 100 000 fibers wait on one Event; time from `set` to the
 *   last waiter resumed (the setup is not timed);
 * - event ping-pong: two fibers alternate through two Events, round trips/s
 *   (the loop-swap recipe's `pingPong`).
 * Each loop also runs "+ no async context": in a process that opted in to
 * `effect-asyncio/no-async-context` (see bench/_harness.ts).
 * The call_later workload lives in loop-swap.bench.ts (its Python peer is
 * loop-swap.py: it measures the loop's timers, not the Event). */
import { Deferred, Effect, Fiber } from "effect"
import * as Event from "effect-asyncio/event"
import { pingPong } from "../recipes/loop-swap.ts"
import { runBench, withNoAsyncContext, type Workload } from "./_harness.ts"
import { onLoops } from "./loop-swap.bench.ts"
import { fromDef } from "./workloads.ts"

// --- fan-out ------------------------------------------------------------------

/** Forks `n` waiters on one Event, then times `set` → last waiter resumed, in ms. */
export const fanOut = (n: number) =>
  Effect.gen(function* () {
    const event = yield* Event.make
    const lastResumed = yield* Deferred.make<number>()
    let waiting = 0
    let left = n
    const waiters = yield* Effect.forEach(Array.from({ length: n }), () =>
      Effect.forkChild(Effect.gen(function* () {
        waiting++
        yield* event.wait
        if (--left === 0) {
          Deferred.doneUnsafe(lastResumed, Effect.succeed(performance.now()))
        }
      })))
    while (waiting < n) {
      yield* Effect.yieldNow
    }
    const start = performance.now()
    yield* event.set
    const end = yield* Deferred.await(lastResumed)
    yield* Fiber.joinAll(waiters)
    return end - start
  })

const rawFanOut = async (n: number) => {
  let set!: () => void
  const event = new Promise<void>((resolve) => (set = resolve))
  let left = n
  const lastResumed = new Promise<number>((resolve) => {
    for (let i = 0; i < n; i++) {
      ;(async () => {
        await event
        if (--left === 0) resolve(performance.now())
      })()
    }
  })
  const start = performance.now()
  set()
  return (await lastResumed) - start
}

const fanOutWorkload = (): Workload => {
  const def = fromDef("event", "fan-out 100,000")
  const n = def.ops
  return {
    ...def,
    variants: [
      ...withNoAsyncContext(onLoops(() => fanOut(n), true)),
      { name: "one Promise, n async functions (raw)", run: () => rawFanOut(n), selfTimed: true },
    ],
  }
}

// --- ping-pong ----------------------------------------------------------------

/** A minimal Promise-based event, only as the raw baseline. */
class RawEvent {
  private flag = false
  private waiters: Array<() => void> = []
  set() {
    if (this.flag) return
    this.flag = true
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }
  clear() {
    this.flag = false
  }
  wait(): Promise<void> | undefined {
    return this.flag ? undefined : new Promise((resolve) => this.waiters.push(resolve))
  }
}

const rawPingPong = async (n: number) => {
  const ping = new RawEvent()
  const pong = new RawEvent()
  const ponger = (async () => {
    for (let i = 0; i < n; i++) {
      await ping.wait()
      ping.clear()
      pong.set()
    }
  })()
  for (let i = 0; i < n; i++) {
    ping.set()
    await pong.wait()
    pong.clear()
  }
  await ponger
}

const pingPongWorkload = (): Workload => {
  const def = fromDef("event", "ping-pong 100,000")
  const n = def.ops
  return {
    ...def,
    variants: [
      ...withNoAsyncContext(onLoops(() => pingPong(n))),
      { name: "async functions + Promise event (raw)", run: () => rawPingPong(n) },
    ],
  }
}

if (import.meta.main) {
  await runBench([fanOutWorkload(), pingPongWorkload()])
}
