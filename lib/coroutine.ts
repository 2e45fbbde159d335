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
import { Cause, Data, Deferred, Duration, Effect, Exit, Fiber, Result, type Scope } from "effect"
import process from "node:process"
import { type Loop, withLoop } from "./loop.ts"
import { checkMainGuard } from "./executor/failures.ts"
import { type Delay, millisOf } from "./internal/millis.ts"
import { markOneLine, oneLine, reportIfUnhandled } from "./internal/one-line.ts"
import { catchPermissions, type PermissionDeniedError } from "./internal/permissions.ts"
import { RunningLoop } from "./internal/running-loop.ts"
import { createTask, runningLoop } from "./task.ts"

export { createTask, NoRunningLoopError, runningLoop } from "./task.ts"

// ---------------------------------------------------------------------------
// run: asyncio.run
// ---------------------------------------------------------------------------

/** Options for {@link run}. */
export interface RunOptions {
  /** Do not print the failure cause (the exit code is still set). */
  readonly disableErrorReporting?: boolean
  /**
   * The loop that dispatches the program's fibers (`defaultLoop`, `fastLoop`
   * from `effect-asyncio/loop`), like running asyncio with uvloop installed.
   * Every fiber `main` forks inherits it. Default: Effect's own scheduler.
   */
  readonly loop?: Loop
}

/** `run` was called while a `run` is running (asyncio raises `RuntimeError`). */
export class NestedRunError extends Data.TaggedError("NestedRunError")<{
  readonly message: string
}> {}

let running = false

const MAIN_CANCELLED = "main was cancelled: an interruption that no signal sent reached it, " +
  "e.g. from joining or gathering a task that was cancelled " +
  "(gather(tasks, { returnExceptions: true }) gives a CancelledError in its place instead)"

/** The Promise `run` returns: it notes whether anyone awaits it (`then`). */
class RunResult<A> extends Promise<A> {
  awaited = false
  // Promises derived from it (`then`, `catch`) are plain ones.
  static override get [Symbol.species]() {
    return Promise
  }
  override then<B = A, C = never>(
    onSuccess?: ((value: A) => B | PromiseLike<B>) | null,
    onFailure?: ((reason: unknown) => C | PromiseLike<C>) | null,
  ): Promise<B | C> {
    this.awaited = true
    return super.then(onSuccess, onFailure)
  }
}

/**
 * Runs `main` as the program's main fiber, like `asyncio.run(main())`, and
 * returns a Promise of its result: `const x = await run(main)`.
 *
 * `main` gets a running loop (`runningLoop`): a scope for its `callLater`
 * callbacks and its `createTask` tasks, closed when it ends. On failure,
 * `await run(main)` throws main's error (nothing after it runs; uncaught,
 * the runtime prints it and exits 1), and a bare `run(main)` prints the
 * cause to stderr and sets the exit code to 1. On SIGINT main is
 * interrupted, its finalizers run, and the process exits with 130; a second
 * SIGINT exits at once. Main interrupted by anything else (it joined a
 * cancelled task, say) fails with a {@link CancelledError}, exit code 1.
 * A mistake told in one line (a denied Deno permission, a task module
 * without its `import.meta.main` guard) is printed as that line, once,
 * awaited or not. Calling `run` while a `run` is running throws a
 * {@link NestedRunError}.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { run } from "effect-asyncio/coroutine"
 *
 * const main = Effect.gen(function* () {
 *   yield* Console.log("Hello, world!")
 *   return 42
 * })
 *
 * if (import.meta.main) console.log(await run(main))
 * ```
 */
export const run = <A, E>(
  main: Effect.Effect<A, E, Scope.Scope>,
  options?: RunOptions,
): Promise<A> => {
  if (running) {
    throw new NestedRunError({
      message: "run() cannot be called from a running loop: yield* the effect, or createTask it",
    })
  }
  // Under a worker's import of a task module: the program would start again in every worker.
  checkMainGuard("run(main)")
  running = true
  // A denied Deno permission ends in one line naming the flags, not a stack.
  const program = runningLoop(catchPermissions(options?.loop ? withLoop(options.loop)(main) : main))
  let settle: (exit: Exit.Exit<A, E | PermissionDeniedError>) => void = () => {}
  const result = new RunResult<A>((resolve, reject) => {
    settle = (exit) => {
      if (Exit.isSuccess(exit)) return resolve(exit.value)
      // Interrupted, not by a signal (that exits 130 below): main was cancelled from within.
      const error = Cause.hasInterruptsOnly(exit.cause)
        ? markOneLine(new CancelledError({ message: MAIN_CANCELLED }))
        : Cause.squash(exit.cause)
      // A mistake told in one line (a permission, a missing main guard) is printed as that line, once.
      const line = options?.disableErrorReporting ? undefined : oneLine(error)
      // Awaited (`await run(main)`), the error is the caller's: it can catch
      // it, and the runtime reports it if it does not. Not awaited, the
      // report is ours, as asyncio prints the traceback.
      if (result.awaited) {
        if (line !== undefined) reportIfUnhandled(error, line)
        return reject(error)
      }
      if (!options?.disableErrorReporting) console.error(line ?? Cause.pretty(exit.cause))
      // 130 (and 143) are for signals only: this is a failure.
      process.exitCode = 1
    }
  })
  // Keeps the process alive while main waits on something that does not.
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1)
  // The first Ctrl-C interrupts the main fiber, which runs every finalizer
  // (pools shut down, sockets close); a second one exits at once. Listening
  // starts before main does: main's first lines run synchronously.
  let interrupted = false
  const onSigint = () => {
    if (interrupted) process.exit(130)
    interrupted = true
    fiber.interruptUnsafe()
  }
  process.on("SIGINT", onSigint)
  const fiber = Effect.runFork(program)
  fiber.addObserver((exit) => {
    clearInterval(keepAlive)
    process.off("SIGINT", onSigint)
    running = false
    // Ctrl-C: every finalizer has run; end as a program killed by SIGINT does.
    if (interrupted && Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) {
      process.exit(130)
    }
    // A failure may come at once: wait a turn, so an `await` on the result is seen.
    if (Exit.isSuccess(exit)) settle(exit)
    else setTimeout(() => settle(exit), 0)
  })
  return result
}

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

/**
 * A task or effect was cancelled (interrupted), as asyncio's `CancelledError`:
 * what `gather(…, { returnExceptions: true })` puts in the place of a child
 * cancelled on its own, and what `run` rejects with when main was
 * interrupted by something other than a signal.
 */
export class CancelledError extends Data.TaggedError("CancelledError")<{
  readonly message: string
}> {}

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
