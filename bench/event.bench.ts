/**
 * Bench for recipes/event.ts — asyncio.Event and call_later, on each loop.
 *
 * Workloads (defaultLoop is the baseline; a raw-Promise version beside it):
 * - event fan-out: 100 000 fibers wait on one Event; time from `set` to the
 *   last waiter resumed (the setup is not timed);
 * - event ping-pong: two fibers alternate through two Events, round trips/s
 *   (the loop-swap recipe's `pingPong`);
 * - call_later: 100 000 callbacks due evenly over 100 ms; the time to run
 *   them all beyond those 100 ms, and the worst lateness of one callback
 *   (the scheduling of the 100 000 is inside both).
 */
import { Deferred, Effect, Fiber } from "effect"
import * as Event from "effect-asyncio/event"
import { callLater, defaultLoop, fastLoop, type Loop, withLoop } from "effect-asyncio/loop"
import { pingPong } from "../recipes/loop-swap.ts"
import { runBench, type Variant, type Workload } from "./_harness.ts"

const loops: ReadonlyArray<Loop> = [defaultLoop, fastLoop]
const variant = (loop: Loop, run: () => unknown, selfTimed = false): Variant => ({
  name: `${loop.name} (${loop === defaultLoop ? "Effect MixedScheduler" : "FastScheduler"})`,
  baseline: loop === defaultLoop,
  run,
  selfTimed,
})

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

const fanOutWorkload = (n: number): Workload => ({
  bench: "event",
  workload: `fan-out ${n.toLocaleString("en")} waiters, set → last resumed`,
  unit: "ms",
  ops: n,
  samples: 7,
  variants: [
    ...loops.map((loop) => variant(loop, () => Effect.runPromise(withLoop(loop)(fanOut(n))), true)),
    { name: "one Promise, n async functions (raw)", run: () => rawFanOut(n), selfTimed: true },
  ],
})

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

const pingPongWorkload = (n: number): Workload => ({
  bench: "event",
  workload: `ping-pong through two Events, ${n.toLocaleString("en")} round trips`,
  unit: "ops/s",
  ops: n,
  samples: 7,
  variants: [
    ...loops.map((loop) => variant(loop, () => Effect.runPromise(withLoop(loop)(pingPong(n))))),
    { name: "async functions + Promise event (raw)", run: () => rawPingPong(n) },
  ],
})

// --- call_later ---------------------------------------------------------------

interface Spread {
  /** Milliseconds beyond the last due time until every callback has run. */
  readonly overhead: number
  /** The worst lateness of one callback, in ms. */
  readonly worstLate: number
}

/** `n` callLater callbacks due evenly over `spanMs`, on the current loop. */
export const callLaterSpread = (n: number, spanMs: number) =>
  Effect.scoped(Effect.gen(function* () {
    const allRan = yield* Deferred.make<void>()
    let left = n
    let worstLate = 0
    const start = performance.now()
    for (let i = 0; i < n; i++) {
      const delay = (i * spanMs) / n
      yield* callLater(
        delay,
        Effect.sync(() => {
          worstLate = Math.max(worstLate, performance.now() - start - delay)
          if (--left === 0) Deferred.doneUnsafe(allRan, Effect.void)
        }),
      )
    }
    yield* Deferred.await(allRan)
    return { overhead: performance.now() - start - spanMs, worstLate } satisfies Spread
  }))

const rawSpread = (n: number, spanMs: number) =>
  new Promise<Spread>((resolve) => {
    let left = n
    let worstLate = 0
    const start = performance.now()
    for (let i = 0; i < n; i++) {
      const delay = (i * spanMs) / n
      setTimeout(() => {
        worstLate = Math.max(worstLate, performance.now() - start - delay)
        if (--left === 0) resolve({ overhead: performance.now() - start - spanMs, worstLate })
      }, delay)
    }
  })

const callLaterWorkload = (n: number, figure: keyof Spread): Workload => ({
  bench: "event",
  workload: `call_later ${n.toLocaleString("en")} callbacks over 100 ms: ${
    figure === "overhead" ? "time beyond 100 ms" : "worst lateness"
  }`,
  unit: "ms",
  ops: n,
  samples: 7,
  variants: [
    ...loops.map((loop) =>
      variant(
        loop,
        () =>
          Effect.runPromise(withLoop(loop)(callLaterSpread(n, 100))).then((spread) =>
            spread[figure]
          ),
        true,
      )
    ),
    {
      name: "setTimeout (raw)",
      run: () => rawSpread(n, 100).then((spread) => spread[figure]),
      selfTimed: true,
    },
  ],
})

if (import.meta.main) {
  await runBench([
    pingPongWorkload(100_000),
    fanOutWorkload(100_000),
    callLaterWorkload(100_000, "overhead"),
    callLaterWorkload(100_000, "worstLate"),
  ])
}
