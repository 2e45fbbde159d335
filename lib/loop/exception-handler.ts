/**
 * The loop's exception handler, asyncio's `loop.set_exception_handler`: what
 * happens to a failure nobody else will see. A callback scheduled with
 * `callSoon`/`callLater`/`callAt` that throws or fails, and a task made with
 * `createTask` that failed and was never joined, are reported here; the loop
 * goes on.
 *
 * The handler is a `Context.Reference`, so it is set the Effect way: for a
 * region with {@link withExceptionHandler}, for a program with
 * {@link exceptionHandlerLayer}. The default, {@link defaultExceptionHandler},
 * writes asyncio's kind of report to stderr: what failed, then the cause with
 * its stack.
 *
 * @example Collect the failures of callbacks instead of printing them
 * ```ts
 * import { Effect } from "effect"
 * import { callSoon, type ExceptionContext, withExceptionHandler } from "effect-asyncio/loop"
 * import assert from "node:assert/strict"
 *
 * const reports: Array<ExceptionContext> = []
 * await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   yield* callSoon(function explode() {
 *     throw new Error("boom")
 *   })
 *   yield* Effect.yieldNow
 * })).pipe(withExceptionHandler((context) => reports.push(context))))
 * assert.equal(reports[0].message, "Exception in callback explode")
 * ```
 *
 * @module
 */
import { Cause, Context, Effect, Layer } from "effect"

/** What the loop hands its exception handler (asyncio's `context` dict). */
export interface ExceptionContext {
  /** What failed: "Exception in callback <name>", "Task exception was never retrieved". */
  readonly message: string
  /** The failure, with its stack. */
  readonly cause: Cause.Cause<unknown>
}

/** Receives the failures nobody else will see. */
export type ExceptionHandler = (context: ExceptionContext) => void

/** Writes `message`, then the cause with its stack, to stderr (asyncio's default). */
export const defaultExceptionHandler: ExceptionHandler = ({ message, cause }) => {
  console.error(`${message}\n${Cause.pretty(cause)}`)
}

/** The loop's exception handler; {@link defaultExceptionHandler} unless provided. */
export const ExceptionHandler: Context.Reference<ExceptionHandler> = Context.Reference(
  "effect-asyncio/ExceptionHandler",
  { defaultValue: () => defaultExceptionHandler },
)

/** The exception handler in effect here (`loop.get_exception_handler`). */
export const getExceptionHandler: Effect.Effect<ExceptionHandler> = Effect.service(
  ExceptionHandler,
)

/** Runs `effect` with `handler` as the loop's exception handler (`loop.set_exception_handler`). */
export const withExceptionHandler =
  (handler: ExceptionHandler) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provideService(effect, ExceptionHandler, handler)

/** The exception handler as a Layer, for a whole program or a `ManagedRuntime`. */
export const exceptionHandlerLayer = (handler: ExceptionHandler): Layer.Layer<never> =>
  Layer.succeed(ExceptionHandler, handler)

/**
 * Reports a failure to the handler found in `context`. A handler that throws
 * is itself reported by the default handler, so nothing is lost.
 */
export const reportException = (
  context: Context.Context<never>,
  message: string,
  cause: Cause.Cause<unknown>,
): void => {
  const handler = Context.get(context, ExceptionHandler)
  try {
    handler({ message, cause })
  } catch (error) {
    defaultExceptionHandler({ message, cause })
    defaultExceptionHandler({
      message: "Unhandled error in exception handler",
      cause: Cause.die(error),
    })
  }
}
