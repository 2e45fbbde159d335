/**
 * The typed errors of `effect-asyncio/executor` (re-exported there); to-error.ts
 * says which one a failure becomes.
 *
 * @module
 */
import { Data } from "effect"

/** The task threw (or its promise rejected) in the worker. */
export class TaskError extends Data.TaggedError("TaskError")<{
  /** `module.ts#export` of the task. */
  readonly task: string
  /** The remote exception's `name`, `message` and `stack`. */
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
  /** What was thrown, when it was not an `Error` (and could be cloned). */
  readonly value?: unknown
}> {}

/**
 * An argument or the result cannot cross the worker boundary (a function, a
 * symbol, a class instance's method…), like Python's pickling error.
 * `argument` is the index of the offending argument, or `"result"`.
 */
export class NotCloneableError extends Data.TaggedError("NotCloneableError")<{
  readonly task: string
  readonly argument: number | "result"
  readonly message: string
}> {}

/**
 * The worker running the task died (it called `process.exit`, crashed, or
 * failed to import the task's module). The pool has replaced it; other
 * tasks are not affected.
 */
export class BrokenWorkerError extends Data.TaggedError("BrokenWorkerError")<{
  readonly task: string
  /** `"exit"`: the worker exited or was killed; `"import"`: the task's module failed to load. */
  readonly reason: "exit" | "import"
  /** The worker's exit code (null when killed by a signal). */
  readonly exitCode?: number | null
  readonly message: string
  /** The remote error (for `"import"`) or the worker's own error event. */
  readonly cause?: unknown
}> {}

/**
 * `run` was called, or a pool made, while a worker was importing a task's
 * module: the module starts its program at the top level instead of behind
 * `if (import.meta.main)`, so every worker would start it again. Thrown in
 * the worker; the task fails with a `BrokenWorkerError` (reason `"import"`)
 * that carries this message.
 */
export class MissingMainGuardError extends Data.TaggedError("MissingMainGuardError")<{
  /** The URL of the task module. */
  readonly module: string
  readonly message: string
}> {}

/** The task's module does not export a function under the task's name. */
export class TaskNotFoundError extends Data.TaggedError("TaskNotFoundError")<{
  readonly task: string
  readonly message: string
}> {}

/**
 * A cluster executor could not deliver the message carrying the task (the
 * cluster failed it, or kept dropping it while its shard moved between
 * runners): the task may not have run, or may have run in part.
 * `clusterError` is the cluster's own error tag (e.g. `"RunnerUnavailable"`).
 */
export class ClusterDeliveryError extends Data.TaggedError("ClusterDeliveryError")<{
  readonly task: string
  readonly clusterError: string
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * A cluster runner refused the task and never imported or ran it.
 * `reason` `"module"`: its module (`specifier`) is not in the runner's
 * allow-list (`--allow-module`); `"signature"`: the message carrying it was
 * not signed with the cluster's secret (or is more than 5 minutes old).
 */
export class TaskRefusedError extends Data.TaggedError("TaskRefusedError")<{
  readonly task: string
  readonly reason: "module" | "signature"
  /** The module specifier refused (for `"module"`). */
  readonly specifier?: string
  readonly message: string
}> {}

/** The task was submitted after `shutdown`, like Python's "cannot schedule new futures after shutdown". */
export class ExecutorShutdownError extends Data.TaggedError("ExecutorShutdownError")<{
  readonly message: string
}> {}

/** Every way a task submitted to an executor can fail. */
export type ExecutorError =
  | TaskError
  | NotCloneableError
  | BrokenWorkerError
  | TaskNotFoundError
  | ExecutorShutdownError
  | ClusterDeliveryError
  | TaskRefusedError
