/**
 * `asyncio.as_completed` on Effect fibers: results in the order the tasks
 * finish.
 *
 * - {@link asCompleted} is asyncio's shape: it starts the tasks and returns
 *   one effect per task; the first gives the first result to come, the
 *   second the second, and so on (`for (const next of yield* asCompleted(…))
 *   { yield* next }`). A failed task fails the effect of its turn; the
 *   others are still there to await.
 * - {@link asCompletedStream} is the same as a `Stream`: results as they
 *   come; the first failure ends it.
 * - `timeout` counts from the call: past it, every result not yet in fails
 *   with a `Cause.TimeoutError`. As in asyncio, the tasks still running are
 *   left running: under `run` (a running loop) they are tasks of the loop
 *   (`createTask`), which interrupts them when main has returned; without
 *   one, they are children of the caller's fiber.
 * - Tasks given as fibers (a `Task`) are awaited, never interrupted.
 *
 * @example Fastest first
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { asCompleted, asCompletedStream } from "effect-asyncio/as-completed"
 * import assert from "node:assert/strict"
 *
 * const fetch = (name: string, ms: number) => Effect.as(Effect.sleep(ms), name)
 * const fetches = () => [fetch("slow", 30), fetch("fast", 10), fetch("middle", 20)]
 *
 * const names = await Effect.runPromise(Effect.gen(function* () {
 *   const seen: Array<string> = []
 *   for (const next of yield* asCompleted(fetches())) seen.push(yield* next)
 *   return seen
 * }))
 * assert.deepEqual(names, ["fast", "middle", "slow"])
 *
 * const streamed = await Effect.runPromise(Stream.runCollect(asCompletedStream(fetches())))
 * assert.deepEqual(streamed, ["fast", "middle", "slow"])
 * ```
 *
 * @module
 */
import { Cause, Clock, Duration, Effect, type Exit, Fiber, Queue, Stream } from "effect"
import type { Awaitable } from "./coroutine.ts"
import { armDeadline } from "./internal/deadline.ts"
import { type Delay, millisOf } from "./internal/millis.ts"
import { monotonicMillis } from "./loop/timer-queue.ts"
import { RunningLoop } from "./internal/running-loop.ts"
import { createTask } from "./task.ts"

/** Options for {@link asCompleted} and {@link asCompletedStream}. */
export interface AsCompletedOptions<D extends Duration.Input = Duration.Input> {
  /** After this long (from the call), every result not yet in fails with `TimeoutError` (not a bare number: see `Delay`). */
  readonly timeout?: Delay<D>
}

const timeoutMillis = (timeout: Duration.Input | undefined): Effect.Effect<number | undefined> =>
  Effect.suspend(() => {
    if (timeout === undefined) return Effect.succeed(undefined)
    const millis = millisOf(timeout)
    return Number.isNaN(millis)
      ? Effect.die(
        new Cause.IllegalArgumentError("asCompleted: the timeout must be a number, got NaN"),
      )
      : Effect.succeed(millis)
  })

const timedOut = (millis: number) =>
  new Cause.TimeoutError(
    `asCompleted: timed out after ${Duration.format(Duration.millis(millis))}`,
  )

/**
 * Starts the tasks (asyncio wraps coroutines in tasks of the loop), then
 * calls `onExit` with each outcome in completion order, `onTimeout` once if
 * the deadline passes first. Returns how many tasks there are.
 */
const watch = <A, E, R, RF>(
  awaitables: Iterable<Awaitable<A, E, R>>,
  timeout: Duration.Input | undefined,
  /** How a task is started with no running loop. */
  fork: (effect: Effect.Effect<A, E, R>) => Effect.Effect<Fiber.Fiber<A, E>, never, R | RF>,
  onExit: (exit: Exit.Exit<A, E>) => void,
  onTimeout: (error: Cause.TimeoutError) => void,
): Effect.Effect<number, never, R | RF> =>
  Effect.gen(function* () {
    const millis = yield* timeoutMillis(timeout)
    const loop = yield* Effect.service(RunningLoop)
    const fibers: Array<Fiber.Fiber<A, E>> = []
    for (const awaitable of awaitables) {
      fibers.push(
        Fiber.isFiber(awaitable)
          ? awaitable
          : yield* (loop === undefined ? fork(awaitable) : createTask(awaitable)),
      )
    }
    let left = fibers.length
    let over = false
    let disarm: (() => void) | undefined
    if (millis !== undefined && left > 0) {
      const clock = yield* Clock.Clock
      disarm = armDeadline(clock, monotonicMillis(clock) + Math.max(millis, 0), () => {
        over = true
        onTimeout(timedOut(millis))
      })
    }
    for (const fiber of fibers) {
      fiber.addObserver((exit) => {
        if (over) return
        onExit(exit)
        if (--left === 0) disarm?.()
      })
    }
    return fibers.length
  })

/**
 * Starts the tasks and returns one effect per task, like
 * `asyncio.as_completed(aws, timeout=…)`: the i-th gives the i-th outcome
 * to come (a result, or its failure); past the `timeout`, those not yet in
 * fail with a `Cause.TimeoutError`.
 */
export const asCompleted = <A, E, R = never, D extends Duration.Input = Duration.Input>(
  awaitables: Iterable<Awaitable<A, E, R>>,
  options?: AsCompletedOptions<D>,
): Effect.Effect<Array<Effect.Effect<A, E | Cause.TimeoutError>>, never, R> =>
  Effect.suspend(() => {
    const outcomes: Array<Exit.Exit<A, E | Cause.TimeoutError>> = []
    const waiting = new Map<number, (exit: Exit.Exit<A, E | Cause.TimeoutError>) => void>()
    let timeoutExit: Exit.Exit<never, Cause.TimeoutError> | undefined
    const deliver = (exit: Exit.Exit<A, E | Cause.TimeoutError>) => {
      const i = outcomes.length
      outcomes.push(exit)
      const resume = waiting.get(i)
      if (resume !== undefined) {
        waiting.delete(i)
        resume(exit)
      }
    }
    return Effect.map(
      watch(awaitables, options?.timeout, Effect.forkChild, deliver, (error) => {
        timeoutExit = Effect.fail(error) as unknown as Exit.Exit<never, Cause.TimeoutError>
        for (const [, resume] of waiting) resume(timeoutExit)
        waiting.clear()
      }),
      (n) =>
        Array.from({ length: n }, (_, i) =>
          Effect.callback<A, E | Cause.TimeoutError>((resume) => {
            const ready = outcomes[i] ?? timeoutExit
            if (ready !== undefined) return resume(ready)
            waiting.set(i, resume)
            return Effect.sync(() => waiting.delete(i))
          })),
    )
  })

/**
 * The results as a `Stream`, in completion order: the first failure (or the
 * `timeout`) ends it with that error.
 */
export const asCompletedStream = <A, E, R = never, D extends Duration.Input = Duration.Input>(
  awaitables: Iterable<Awaitable<A, E, R>>,
  options?: AsCompletedOptions<D>,
): Stream.Stream<A, E | Cause.TimeoutError, R> =>
  Stream.callback<A, E | Cause.TimeoutError, R>((queue) =>
    Effect.suspend(() => {
      let delivered = 0
      let total = -1
      return Effect.map(
        // With no loop, the tasks live as long as the stream (its scope).
        watch(awaitables, options?.timeout, Effect.forkScoped, (exit) => {
          if (exit._tag === "Success") Queue.offerUnsafe(queue, exit.value)
          else Queue.failCauseUnsafe(queue, exit.cause)
          if (++delivered === total) Queue.endUnsafe(queue)
        }, (error) => Queue.failCauseUnsafe(queue, Cause.fail(error))),
        (n) => {
          total = n
          if (delivered === n) Queue.endUnsafe(queue)
        },
      )
    })
  )
