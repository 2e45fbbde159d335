/**
 * The asyncio coroutine toolkit on Effect fibers: `run` (`asyncio.run`),
 * `createTask` (from `effect-asyncio/task`), `fromAsync` (an `async`
 * function as an interruptible Effect), `gather`, `wait` and `waitFor`.
 *
 * An asyncio coroutine is an Effect; an asyncio Task is a Fiber. Effect
 * already does the hard parts (structured concurrency, interruption,
 * timeouts); this module only adds the asyncio-shaped surface on top, so a
 * reader coming from Python finds the names where they look for them.
 *
 * @example Gather three coroutines
 * ```ts
 * import { Effect } from "effect"
 * import { gather } from "effect-asyncio/coroutine"
 * import assert from "node:assert/strict"
 *
 * const square = (n: number) => Effect.succeed(n * n).pipe(Effect.delay("1 millis"))
 * const squares = await Effect.runPromise(gather([square(1), square(2), square(3)]))
 * assert.deepEqual(squares, [1, 4, 9])
 * ```
 *
 * @module
 */
import { Cause, Data, Deferred, Duration, Effect, Exit, Fiber, Result } from "effect"
import { CancelledError } from "./coroutine/cancelled-error.ts"
import { type Delay, millisOf } from "./internal/millis.ts"
import { RunningLoop } from "./internal/running-loop.ts"
import { createTask } from "./task.ts"

export { CancelledError } from "./coroutine/cancelled-error.ts"
export { NestedRunError, run, type RunOptions } from "./coroutine/run.ts"
export { createTask, NoRunningLoopError, withRunningLoop } from "./task.ts"

// ---------------------------------------------------------------------------
// fromAsync: an async function as a coroutine
// ---------------------------------------------------------------------------

/** An `async` function lifted with {@link fromAsync} threw or rejected. */
export class AsyncError extends Data.TaggedError("AsyncError")<{
  readonly message: string
  readonly cause: unknown
}> {}

/**
 * Lifts a Promise-returning function into an Effect. The function receives an
 * `AbortSignal` that fires when the fiber running it is interrupted, so a
 * `fetch` or a timer can stop early; a rejection becomes a typed
 * {@link AsyncError} that keeps the original error as its `cause`.
 *
 * @example Interrupting aborts the signal
 * ```ts
 * import { Effect, Fiber } from "effect"
 * import { fromAsync } from "effect-asyncio/coroutine"
 * import assert from "node:assert/strict"
 *
 * let aborted = false
 * const slow = fromAsync((signal) =>
 *   new Promise<never>(() => signal.addEventListener("abort", () => (aborted = true)))
 * )
 * await Effect.runPromise(Effect.gen(function* () {
 *   const fiber = yield* Effect.forkChild(slow)
 *   yield* Effect.sleep("1 millis")
 *   yield* Fiber.interrupt(fiber)
 * }))
 * assert.equal(aborted, true)
 * ```
 */
export const fromAsync = <A>(
  f: (signal: AbortSignal) => PromiseLike<A>,
): Effect.Effect<A, AsyncError> =>
  Effect.tryPromise({
    try: (signal) => f(signal),
    catch: (cause) =>
      new AsyncError({ message: cause instanceof Error ? cause.message : String(cause), cause }),
  })

// ---------------------------------------------------------------------------
// gather
// ---------------------------------------------------------------------------

/** Options for {@link gather}. */
export interface GatherOptions {
  /**
   * Like asyncio's `return_exceptions=True`: run every effect to the end and
   * return each outcome as a `Result` instead of failing on the first error;
   * a child that was cancelled (interrupted) on its own is a
   * {@link CancelledError} in its place. Defects still fail the gather.
   */
  readonly returnExceptions?: boolean
}

/** A child's outcome for `returnExceptions`: its value, its error, or a CancelledError if interrupted. */
const outcome = <A, E, R>(
  child: Awaitable<A, E, R>,
): Effect.Effect<Result.Result<A, E | CancelledError>, never, R> =>
  Effect.matchCauseEffect(Fiber.isFiber(child) ? Fiber.join(child) : child, {
    onSuccess: (value) => Effect.succeed(Result.succeed(value)),
    onFailure: (cause): Effect.Effect<Result.Result<A, E | CancelledError>> => {
      if (Cause.hasInterruptsOnly(cause)) {
        const name = (child as { name?: unknown }).name
        const message = typeof name === "string" ? `${name} was cancelled` : "cancelled"
        return Effect.succeed(Result.fail(new CancelledError({ message })))
      }
      const error = Cause.findError(cause)
      // A defect (no typed error) is not an exception to return: it fails the gather.
      return Result.isSuccess(error)
        ? Effect.succeed(Result.fail(error.success))
        : Effect.failCause(cause as Cause.Cause<never>)
    },
  })

/**
 * Runs the effects concurrently and returns their results in input order,
 * like `asyncio.gather`. The first failure interrupts the other effects and
 * fails the gather (like asyncio's `TaskGroup`; asyncio's `gather` lets them
 * run), unless `returnExceptions` is set. Running tasks (`createTask`,
 * fibers) can be gathered too: they are joined, never interrupted by it.
 *
 * @example Collect failures instead of failing fast
 * ```ts
 * import { Effect, Result } from "effect"
 * import { gather } from "effect-asyncio/coroutine"
 * import assert from "node:assert/strict"
 *
 * const results = await Effect.runPromise(
 *   gather([Effect.succeed(1), Effect.fail("boom")], { returnExceptions: true }),
 * )
 * assert.deepEqual(results.map(Result.isSuccess), [true, false])
 * ```
 */
export function gather<A, E, R = never>(
  effects: Iterable<Awaitable<A, E, R>>,
  options: GatherOptions & { readonly returnExceptions: true },
): Effect.Effect<Array<Result.Result<A, E | CancelledError>>, never, R>
export function gather<A, E, R = never>(
  effects: Iterable<Awaitable<A, E, R>>,
  options?: GatherOptions,
): Effect.Effect<Array<A>, E, R>
export function gather<A, E, R = never>(
  effects: Iterable<Awaitable<A, E, R>>,
  options?: GatherOptions,
): Effect.Effect<Array<A> | Array<Result.Result<A, E | CancelledError>>, E, R> {
  if (options?.returnExceptions) {
    return Effect.all(Array.from(effects, outcome), { concurrency: "unbounded" })
  }
  const all = Array.from(effects, (task) => Fiber.isFiber(task) ? Fiber.join(task) : task)
  return Effect.all(all, { concurrency: "unbounded" })
}

// ---------------------------------------------------------------------------
// wait
// ---------------------------------------------------------------------------

/** When {@link wait} returns, as in `asyncio.wait(return_when=...)`. */
export type ReturnWhen = "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED"

/** Return as soon as any task finishes or is cancelled. */
export const FIRST_COMPLETED: ReturnWhen = "FIRST_COMPLETED"
/** Return when any task fails (interruption is not a failure), or when all are done. */
export const FIRST_EXCEPTION: ReturnWhen = "FIRST_EXCEPTION"
/** Return when every task is done. */
export const ALL_COMPLETED: ReturnWhen = "ALL_COMPLETED"

/** Options for {@link wait}. */
export interface WaitOptions<D extends Duration.Input = Duration.Input> {
  readonly returnWhen?: ReturnWhen
  /** Return (not fail) after this long, with whatever is done by then (not a bare number: see `Delay`). */
  readonly timeout?: Delay<D>
}

/** The two groups `asyncio.wait` returns, each in input order. */
export interface WaitResult<A, E> {
  readonly done: Array<Fiber.Fiber<A, E>>
  readonly pending: Array<Fiber.Fiber<A, E>>
}

/** A task for {@link wait}, {@link gather}, {@link waitFor}: a running fiber (a `Task`), or an effect. */
export type Awaitable<A, E, R> = Fiber.Fiber<A, E> | Effect.Effect<A, E, R>

const isFailed = <A, E>(exit: Exit.Exit<A, E>): boolean =>
  Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)

/**
 * Waits for a group of tasks with asyncio's semantics. Effects are made
 * tasks first: of the running loop (`createTask`) under `run`, so they
 * outlive the caller as in asyncio; child fibers of the caller otherwise.
 * The tasks that are not done are returned in `pending` and keep running; a
 * `timeout` returns rather than fails (zero or below: just look; NaN: a
 * defect).
 *
 * @example Return as soon as the first task completes
 * ```ts
 * import { Effect } from "effect"
 * import { wait } from "effect-asyncio/coroutine"
 * import assert from "node:assert/strict"
 *
 * const { done, pending } = await Effect.runPromise(Effect.scoped(
 *   wait([Effect.sleep("5 millis"), Effect.never], { returnWhen: "FIRST_COMPLETED" }),
 * ))
 * assert.equal(done.length, 1)
 * assert.equal(pending.length, 1)
 * ```
 */
export const wait = <A, E, R = never, const D extends Duration.Input = Duration.Input>(
  tasks: Iterable<Awaitable<A, E, R>>,
  options?: WaitOptions<D>,
): Effect.Effect<WaitResult<A, E>, never, R> =>
  Effect.gen(function* () {
    const timeout = options?.timeout === undefined ? undefined : yield* timeoutMillis(
      "wait",
      options.timeout,
    )
    const loop = yield* Effect.service(RunningLoop)
    const fibers: Array<Fiber.Fiber<A, E>> = []
    for (const task of tasks) {
      fibers.push(
        Fiber.isFiber(task)
          ? task
          : yield* (loop === undefined ? Effect.forkChild(task) : createTask(task)),
      )
    }
    if (fibers.length === 0) {
      return yield* Effect.die(new Cause.IllegalArgumentError("wait: the set of tasks is empty"))
    }
    const returnWhen = options?.returnWhen ?? "ALL_COMPLETED"
    let remaining = fibers.length
    let failed = false
    const isSatisfied = () =>
      remaining === 0 ||
      (returnWhen === "FIRST_COMPLETED" && remaining < fibers.length) ||
      (returnWhen === "FIRST_EXCEPTION" && failed)
    const onExit = (exit: Exit.Exit<A, E>) => {
      remaining--
      if (isFailed(exit)) failed = true
    }
    for (const fiber of fibers) {
      const exit = fiber.pollUnsafe()
      if (exit) onExit(exit)
    }
    if (!isSatisfied() && (timeout === undefined || timeout > 0)) {
      const satisfied = Deferred.makeUnsafe<void>()
      const removers = fibers.filter((fiber) => !fiber.pollUnsafe()).map((fiber) =>
        fiber.addObserver((exit) => {
          onExit(exit)
          if (isSatisfied()) Deferred.doneUnsafe(satisfied, Effect.void)
        })
      )
      const waiting = Deferred.await(satisfied)
      yield* (timeout === undefined
        ? waiting
        : Effect.asVoid(Effect.timeoutOption(waiting, timeout))).pipe(
          Effect.ensuring(Effect.sync(() => removers.forEach((remove) => remove()))),
        )
    }
    const done: Array<Fiber.Fiber<A, E>> = []
    const pending: Array<Fiber.Fiber<A, E>> = []
    for (const fiber of fibers) (fiber.pollUnsafe() ? done : pending).push(fiber)
    return { done, pending }
  })

// ---------------------------------------------------------------------------
// waitFor
// ---------------------------------------------------------------------------

/** A timeout in milliseconds; NaN (or a bad string) is a defect that names the caller. */
const timeoutMillis = (caller: string, timeout: Duration.Input): Effect.Effect<number> =>
  Effect.suspend(() => {
    const millis = millisOf(timeout)
    return Number.isNaN(millis)
      ? Effect.die(
        new Cause.IllegalArgumentError(`${caller}: the timeout must be a number, got NaN`),
      )
      : Effect.succeed(millis)
  })

/**
 * Runs `effect` with a time limit, like `asyncio.wait_for`: past the limit the
 * effect is interrupted and the result is a `Cause.TimeoutError` (tag
 * `"TimeoutError"`) whose message names the limit. Given a task (a fiber), it
 * waits for the task and interrupts it at the limit, as asyncio cancels it.
 * A limit of zero or below fails at once without running the effect (a task
 * already done gives its result); NaN is a defect.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { waitFor } from "effect-asyncio/coroutine"
 * import assert from "node:assert/strict"
 *
 * const error = await Effect.runPromise(Effect.flip(waitFor(Effect.never, "10 millis")))
 * assert.equal(error._tag, "TimeoutError")
 * ```
 */
export const waitFor = <A, E, R = never, const D extends Duration.Input = Duration.Input>(
  awaitable: Awaitable<A, E, R>,
  timeout: Delay<D>,
): Effect.Effect<A, E | Cause.TimeoutError, R> =>
  Effect.flatMap(timeoutMillis("waitFor", timeout), (millis) => {
    const timedOut = Effect.fail(
      new Cause.TimeoutError(
        `waitFor: timed out after ${Duration.format(Duration.millis(millis))}`,
      ),
    )
    if (Fiber.isFiber(awaitable)) {
      const exit = awaitable.pollUnsafe()
      if (exit !== undefined) return exit
      const cancelled = Effect.andThen(Fiber.interrupt(awaitable), timedOut)
      return millis <= 0 ? cancelled : Effect.timeoutOrElse(Fiber.join(awaitable), {
        duration: millis,
        orElse: () => cancelled,
      })
    }
    return millis <= 0
      ? timedOut
      : Effect.timeoutOrElse(awaitable, { duration: millis, orElse: () => timedOut })
  })
