/**
 * What went wrong, as the typed error the caller sees (the classes are in
 * errors.ts). Internal to `effect-asyncio/executor`.
 *
 * A worker reports a failed task as a status (protocol.ts) and a value;
 * {@link errorFromStatus} turns that into a `TaskError`, `NotCloneableError`,
 * `BrokenWorkerError` or `TaskNotFoundError`. The pool's own findings (an
 * argument that cannot be sent, a worker that died, a closed pool, a
 * closure instead of a worker function) become errors here too.
 *
 * @module
 */
import {
  BrokenWorkerError,
  ExecutorShutdownError,
  MissingMainGuardError,
  NotCloneableError,
  TaskError,
  TaskNotFoundError,
} from "./errors.ts"
import {
  IMPORT_FAILED,
  NOT_FOUND,
  type RemoteError,
  RESULT_NOT_CLONEABLE,
  THREW,
} from "./protocol.ts"
import { type AnyWorkerFunction, isWorkerFunction, workerFunctionName } from "./worker-function.ts"
import { mainGuardViolation } from "./main-guard.ts"
import { markOneLine } from "../internal/one-line.ts"

/** The error for a task a worker reported with a failure `status`. */
export const errorFromStatus = (
  fn: AnyWorkerFunction,
  status: number,
  value: unknown,
): TaskError | NotCloneableError | BrokenWorkerError | TaskNotFoundError => {
  const name = workerFunctionName(fn)
  switch (status) {
    case THREW: {
      const remote = value as RemoteError
      return new TaskError({
        task: name,
        name: remote.name,
        message: remote.message,
        stack: remote.stack,
        ...(remote.value === undefined ? {} : { value: remote.value }),
      })
    }
    case RESULT_NOT_CLONEABLE:
      return new NotCloneableError({
        task: name,
        argument: "result",
        message: `${name}: ${String(value)}`,
      })
    case IMPORT_FAILED: {
      const remote = value as RemoteError
      // The missing guard's message names the module and says what to do: it is the whole story.
      if (remote.name === "MissingMainGuardError") {
        return markOneLine(
          new BrokenWorkerError({
            task: name,
            reason: "import",
            message: remote.message,
            cause: remote,
          }),
        )
      }
      return new BrokenWorkerError({
        task: name,
        reason: "import",
        message: `the worker could not import ${fn.module}: ${remote.name}: ${remote.message}`,
        cause: remote,
      })
    }
    case NOT_FOUND:
      return new TaskNotFoundError({ task: name, message: String(value) })
    default:
      return new TaskError({
        task: name,
        name: "Error",
        message: `unknown status ${status}`,
        stack: undefined,
      })
  }
}

/** Argument `argument` of `fn` cannot be sent to a worker. */
export const notCloneable = (
  fn: AnyWorkerFunction,
  argument: number,
  problem: string,
): NotCloneableError =>
  new NotCloneableError({
    task: workerFunctionName(fn),
    argument,
    message: `argument ${argument} of ${workerFunctionName(fn)}: ${problem}`,
  })

/** The worker running `fn` could not start or died (a `BrokenWorkerError` of reason "exit"). */
export const workerDied = (
  fn: AnyWorkerFunction,
  message: string,
  cause: unknown,
  exitCode?: number | null,
): BrokenWorkerError =>
  new BrokenWorkerError({
    task: workerFunctionName(fn),
    reason: "exit",
    ...(exitCode === undefined ? {} : { exitCode }),
    message,
    cause,
  })

/** `fn` is not a worker function (a closure, a plain function): it cannot be sent to `to` ("a worker", "a runner"). */
export const notAWorkerFunction = (fn: unknown, to = "a worker"): NotCloneableError =>
  new NotCloneableError({
    task: String((fn as { name?: string })?.name || "anonymous"),
    argument: "result",
    message:
      `a closure cannot be sent to ${to}: declare the function with workerFunction(import.meta.url, name, fn) and export it`,
  })

/**
 * Why an executor cannot accept `fn` now (it is shut down, or `fn` is a
 * closure that cannot be sent to `to`), or undefined.
 */
export const refusal = (
  closed: boolean,
  fn: unknown,
  to = "a worker",
): ExecutorShutdownError | NotCloneableError | undefined => {
  if (closed) {
    return new ExecutorShutdownError({ message: "cannot schedule new tasks after shutdown" })
  }
  return isWorkerFunction(fn) ? undefined : notAWorkerFunction(fn, to)
}

/**
 * Throws a {@link MissingMainGuardError} if a worker is importing a task
 * module now: starting `what` there would start the program in every worker.
 */
export const checkMainGuard = (what: string): void => {
  const violation = mainGuardViolation(what)
  if (violation !== undefined) throw new MissingMainGuardError(violation)
}
