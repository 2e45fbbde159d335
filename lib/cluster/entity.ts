/**
 * The cluster entity that runs tasks, and how a task and its outcome travel.
 * Internal to `effect-asyncio/cluster`; shared by the executor (client) and
 * the runner.
 *
 * Every message carries `auth`, its signature under the cluster's secret
 * (signing.ts), which the runner checks before it reads anything else.
 *
 * A message names the task as `workerFunction(...)` does (module specifier + export
 * name) and carries its arguments encoded by codec.ts (structured-clone
 * values, readable by either runtime). The outcome comes back the same way: the value, or the
 * runner's typed failure (`TaskError` with the remote stack, …), rebuilt as
 * the same class on the caller.
 *
 * @module
 */
import { Schema } from "effect"
import { Entity } from "effect/cluster"
import { Rpc } from "effect/rpc"
import type { ExecutorError } from "../executor.ts"
// Every runtime export of errors.ts is an executor error class, found by its tag.
import * as errors from "../executor/errors.ts"

/**
 * Tasks, possibly of different kinds: `calls` is the JSON text of
 * `[[key, module, exportName, args], …]` (args as {@link toJson} gives them),
 * and the reply `[[key, ok, value or error fields], …]`, one per call. The
 * executor gathers the `submit`s of one tick into one message: the cluster's
 * cost is per message, not per task.
 */
export const RunMany = Rpc.make("RunMany", {
  payload: { calls: Schema.String, auth: Schema.String },
  success: Schema.String,
})

/** Stops the calls with these keys (their callers were interrupted): their workers are terminated. */
export const Cancel = Rpc.make("Cancel", {
  payload: { keys: Schema.Array(Schema.String), auth: Schema.String },
})

/**
 * A slice of a `map`: one task, `calls` the JSON text of its argument lists;
 * the reply is `[true, results]` or `[false, error fields]` (the first failure).
 */
export const RunBatch = Rpc.make("RunBatch", {
  payload: {
    module: Schema.String,
    exportName: Schema.String,
    calls: Schema.String,
    auth: Schema.String,
  },
  success: Schema.String,
})

/** The signed fields of each message, in order (signing.ts). */
export const signedFields = {
  RunMany: (p: { readonly calls: string }) => [p.calls],
  Cancel: (p: { readonly keys: ReadonlyArray<string> }) => p.keys,
  RunBatch: (
    p: { readonly module: string; readonly exportName: string; readonly calls: string },
  ) => [
    p.module,
    p.exportName,
    p.calls,
  ],
} as const

/** The entity every runner hosts. Its ids only spread the work over shards. */
export const TaskEntity = Entity.make("effect-asyncio/Task", [RunMany, Cancel, RunBatch])

export { decode, encode, fromJson, toJson } from "./codec.ts"

/** The fields of an executor error that can cross the wire. */
export const errorFields = (error: ExecutorError): Record<string, unknown> => {
  const fields: Record<string, unknown> = {
    _tag: error._tag,
    message: error.message,
  }
  for (
    const key of [
      "task",
      "name",
      "stack",
      "value",
      "argument",
      "reason",
      "exitCode",
      "clusterError",
      "specifier",
    ]
  ) {
    const value = (error as unknown as Record<string, unknown>)[key]
    if (value !== undefined) fields[key] = value
  }
  if (error._tag === "TaskError") fields.name = error.name
  return fields
}

/** Rebuilds the executor error a runner sent, as the same tagged class. */
export const toError = (fields: Record<string, unknown>): ExecutorError => {
  // deno-lint-ignore no-explicit-any
  const { _tag, ...rest } = fields as any
  const Class = Object.hasOwn(errors, _tag)
    ? (errors as unknown as Record<string, new (fields: unknown) => ExecutorError>)[_tag]
    : undefined
  return Class !== undefined ? new Class(rest) : new errors.TaskError({
    task: String(rest.task ?? "unknown"),
    name: "Error",
    message: String(rest.message),
    stack: undefined,
  })
}
