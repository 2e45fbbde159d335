/**
 * From what went wrong to the typed error the caller sees. Internal to
 * `effect-asyncio/executor`; the errors themselves are in errors.ts.
 *
 * A worker reports a failed task as a status (protocol.ts) and a value;
 * {@link failure} turns that into a `TaskError`, `NotCloneableError`,
 * `BrokenWorkerError` or `TaskNotFoundError`. The pool's own findings (an
 * argument that cannot be sent, a worker that died, a closed pool, a
 * closure instead of a task) are built here too.
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
import { type AnyTask, isTask, taskName } from "./task.ts"
import { mainGuardViolation } from "./main-guard.ts"
import { markOneLine } from "../internal/one-line.ts"

/** The error for a task a worker reported with a failure `status`. */
export const failure = (
  task: AnyTask,
  status: number,
  value: unknown,
): TaskError | NotCloneableError | BrokenWorkerError | TaskNotFoundError => {
  const name = taskName(task)
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
        message: `the worker could not import ${task.module}: ${remote.name}: ${remote.message}`,
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

/** Argument `argument` of `task` cannot be sent to a worker. */
export const notCloneable = (
  task: AnyTask,
  argument: number,
  problem: string,
): NotCloneableError =>
  new NotCloneableError({
    task: taskName(task),
    argument,
    message: `argument ${argument} of ${taskName(task)}: ${problem}`,
  })

/** The worker running `task` could not start or died (a `BrokenWorkerError` of reason "exit"). */
export const workerDied = (
  task: AnyTask,
  message: string,
  cause: unknown,
  exitCode?: number | null,
): BrokenWorkerError =>
  new BrokenWorkerError({
    task: taskName(task),
    reason: "exit",
    ...(exitCode === undefined ? {} : { exitCode }),
    message,
    cause,
  })

/** `fn` is not a task (a closure, a plain function): it cannot be sent to `to` ("a worker", "a runner"). */
export const notATask = (fn: unknown, to = "a worker"): NotCloneableError =>
  new NotCloneableError({
    task: String((fn as { name?: string })?.name || "anonymous"),
    argument: "result",
    message:
      `a closure cannot be sent to ${to}: declare the function with task(import.meta.url, name, fn) and export it`,
  })

/**
 * Why an executor cannot accept `task` now (it is shut down, or `task` is a
 * closure that cannot be sent to `to`), or undefined.
 */
export const refusal = (
  closed: boolean,
  task: unknown,
  to = "a worker",
): ExecutorShutdownError | NotCloneableError | undefined => {
  if (closed) {
    return new ExecutorShutdownError({ message: "cannot schedule new tasks after shutdown" })
  }
  return isTask(task) ? undefined : notATask(task, to)
}

/**
 * Throws a {@link MissingMainGuardError} if a worker is importing a task
 * module now: starting `what` there would start the program in every worker.
 */
export const checkMainGuard = (what: string): void => {
  const violation = mainGuardViolation(what)
  if (violation !== undefined) throw new MissingMainGuardError(violation)
}
