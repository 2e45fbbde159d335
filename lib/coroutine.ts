/**
 * The asyncio coroutine toolkit on Effect fibers: `run` (`asyncio.run`),
 * `fromAsync` (an `async` function as an interruptible Effect), `gather`,
 * `wait` and `waitFor`.
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
import { Cause, Data, Deferred, Duration, Effect, Exit, Fiber, type Result, Runtime } from "effect"
import process from "node:process"
import { type Loop, withLoop } from "./loop.ts"
import { hintPermissions } from "./permissions.ts"

// ---------------------------------------------------------------------------
// run: asyncio.run
// ---------------------------------------------------------------------------

/** Options for {@link run}. */
export interface RunOptions {
  /** Do not log the failure cause (the exit code is still set). */
  readonly disableErrorReporting?: boolean
  /**
   * The loop that dispatches the program's fibers (`defaultLoop`, `fastLoop`
   * from `effect-asyncio/loop`), like running asyncio with uvloop installed.
   * Every fiber `main` forks inherits it. Default: Effect's own scheduler.
   */
  readonly loop?: Loop
}

const runMain = Runtime.makeRunMain(({ fiber, teardown }) => {
  // The first Ctrl-C interrupts the main fiber, which runs every finalizer
  // (pools shut down, sockets close); a second one exits at once.
  let interrupted = false
  const onSigint = () => {
    if (interrupted) process.exit(130)
    interrupted = true
    fiber.interruptUnsafe()
  }
  process.on("SIGINT", onSigint)
  fiber.addObserver((exit) => {
    process.off("SIGINT", onSigint)
    teardown(exit, (code) => {
      if (code !== 0) process.exitCode = code
    })
  })
})

/**
 * Runs `main` as the program's main fiber, like `asyncio.run(main())`.
 *
 * On success the process exits on its own once nothing is left running (the
 * scope of `main` has closed every worker and socket). On failure the cause
 * is logged and the exit code is 1; on SIGINT the fiber is interrupted, its
 * finalizers run, and the exit code is 130.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { run } from "effect-asyncio/coroutine"
 *
 * const main = Effect.gen(function* () {
 *   yield* Console.log("Hello, world!")
 * })
 *
 * if (import.meta.main) run(main)
 * ```
 */
export const run = <A, E>(main: Effect.Effect<A, E>, options?: RunOptions): void =>
  runMain(hintPermissions(options?.loop ? withLoop(options.loop)(main) : main), {
    disableErrorReporting: options?.disableErrorReporting,
  })

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
   * return each outcome as a `Result` instead of failing on the first error.
   */
  readonly returnExceptions?: boolean
}

/**
 * Runs the effects concurrently and returns their results in input order,
 * like `asyncio.gather`. The first failure interrupts the others and fails
 * the gather, unless `returnExceptions` is set.
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
export function gather<A, E, R>(
  effects: Iterable<Effect.Effect<A, E, R>>,
  options: GatherOptions & { readonly returnExceptions: true },
): Effect.Effect<Array<Result.Result<A, E>>, never, R>
export function gather<A, E, R>(
  effects: Iterable<Effect.Effect<A, E, R>>,
  options?: GatherOptions,
): Effect.Effect<Array<A>, E, R>
export function gather<A, E, R>(
  effects: Iterable<Effect.Effect<A, E, R>>,
  options?: GatherOptions,
): Effect.Effect<Array<A> | Array<Result.Result<A, E>>, E, R> {
  return options?.returnExceptions
    ? Effect.all(effects, { concurrency: "unbounded", mode: "result" })
    : Effect.all(effects, { concurrency: "unbounded" })
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
export interface WaitOptions {
  readonly returnWhen?: ReturnWhen
  /** Return (not fail) after this long, with whatever is done by then. */
  readonly timeout?: Duration.Input
}

/** The two groups `asyncio.wait` returns, each in input order. */
export interface WaitResult<A, E> {
  readonly done: Array<Fiber.Fiber<A, E>>
  readonly pending: Array<Fiber.Fiber<A, E>>
}

/** A task for {@link wait}: a running fiber, or an effect to fork as one. */
export type Awaitable<A, E, R> = Fiber.Fiber<A, E> | Effect.Effect<A, E, R>

const isFailed = <A, E>(exit: Exit.Exit<A, E>): boolean =>
  Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)

/**
 * Waits for a group of tasks with asyncio's semantics. Effects are forked as
 * child fibers of the caller first. The tasks that are not done are returned
 * in `pending` and keep running; a `timeout` returns rather than fails.
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
export const wait = <A, E, R = never>(
  tasks: Iterable<Awaitable<A, E, R>>,
  options?: WaitOptions,
): Effect.Effect<WaitResult<A, E>, never, R> =>
  Effect.gen(function* () {
    const fibers: Array<Fiber.Fiber<A, E>> = []
    for (const task of tasks) {
      fibers.push(Fiber.isFiber(task) ? task : yield* Effect.forkChild(task))
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
    if (!isSatisfied()) {
      const satisfied = Deferred.makeUnsafe<void>()
      const removers = fibers.filter((fiber) => !fiber.pollUnsafe()).map((fiber) =>
        fiber.addObserver((exit) => {
          onExit(exit)
          if (isSatisfied()) Deferred.doneUnsafe(satisfied, Effect.void)
        })
      )
      const waiting = Deferred.await(satisfied)
      yield* (options?.timeout === undefined
        ? waiting
        : Effect.asVoid(Effect.timeoutOption(waiting, options.timeout))).pipe(
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

/**
 * Runs `effect` with a time limit, like `asyncio.wait_for`: past the limit the
 * effect is interrupted and the result is a `Cause.TimeoutError` (tag
 * `"TimeoutError"`) whose message names the limit.
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
export const waitFor = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  timeout: Duration.Input,
): Effect.Effect<A, E | Cause.TimeoutError, R> =>
  Effect.timeoutOrElse(effect, {
    duration: timeout,
    orElse: () =>
      Effect.fail(
        new Cause.TimeoutError(
          `waitFor: timed out after ${Duration.format(Duration.fromInputUnsafe(timeout))}`,
        ),
      ),
  })
