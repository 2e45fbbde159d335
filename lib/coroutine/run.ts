/**
 * `run`, asyncio's `asyncio.run`: a program's main fiber, with its running
 * loop, its exit code, its SIGINT and SIGTERM handling and the keep-alive that holds the
 * process open while main waits. `effect-asyncio/coroutine` re-exports it.
 *
 * @module
 */
import { Cause, Data, Effect, Exit, type Scope } from "effect"
import process from "node:process"
import { checkMainGuard } from "../executor/to-error.ts"
import { markOneLine, oneLine, reportIfUnhandled } from "../internal/one-line.ts"
import { catchPermissions, type PermissionDeniedError } from "../internal/permissions.ts"
import { CancelledError } from "./cancelled-error.ts"
import { type Loop, withLoop } from "../loop.ts"
import { hasSignalHandler, signalExitCode } from "../signals.ts"
import { withRunningLoop } from "../task.ts"

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
 * `main` gets a running loop (`withRunningLoop`): a scope for its `callLater`
 * callbacks and its `createTask` tasks, closed when it ends. On failure,
 * `await run(main)` throws main's error (nothing after it runs; uncaught,
 * the runtime prints it and exits 1), and a bare `run(main)` prints the
 * cause to stderr and sets the exit code to 1. On SIGINT or SIGTERM main is
 * interrupted, its finalizers run, and the process exits with 130 or 143; a
 * second signal exits at once. A signal the program took over with
 * `addSignalHandler` (`effect-asyncio/signals`) is left to its handler. Main
 * interrupted by anything else (it joined a cancelled task, say) fails with
 * a `CancelledError`, exit code 1. A mistake told in one line (a denied Deno
 * permission, a task module without its `import.meta.main` guard) is
 * printed as that line, once, awaited or not. Calling `run` while a `run` is running throws a
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
  const program = withRunningLoop(
    catchPermissions(options?.loop ? withLoop(options.loop)(main) : main),
  )
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
  // The first SIGINT (Ctrl-C) or SIGTERM interrupts the main fiber, which runs
  // every finalizer (pools shut down, sockets close); a second one exits at
  // once. A signal the program took over (`addSignalHandler`) is left to it.
  // Listening starts before main does: main's first lines run synchronously.
  let interruptedBy: "SIGINT" | "SIGTERM" | undefined
  const onSignal = (signal: "SIGINT" | "SIGTERM") => () => {
    if (hasSignalHandler(signal)) return
    if (interruptedBy !== undefined) process.exit(signalExitCode(signal))
    interruptedBy = signal
    fiber.interruptUnsafe()
  }
  const onSigint = onSignal("SIGINT")
  const onSigterm = onSignal("SIGTERM")
  process.on("SIGINT", onSigint)
  process.on("SIGTERM", onSigterm)
  const fiber = Effect.runFork(program)
  fiber.addObserver((exit) => {
    clearInterval(keepAlive)
    process.off("SIGINT", onSigint)
    process.off("SIGTERM", onSigterm)
    running = false
    // Every finalizer has run; end as a program killed by the signal does (130, 143).
    if (interruptedBy && Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) {
      process.exit(signalExitCode(interruptedBy))
    }
    // A failure may come at once: wait a turn, so an `await` on the result is seen.
    if (Exit.isSuccess(exit)) settle(exit)
    else setTimeout(() => settle(exit), 0)
  })
  return result
}
