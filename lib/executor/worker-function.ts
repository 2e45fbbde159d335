/**
 * Worker functions: how a function is named so that another thread or
 * process can run it. Internal to `effect-asyncio/executor`, which re-exports
 * it; it does not import Effect, so workers load it cheaply.
 *
 * @module
 */

/** Brands a {@link WorkerFunction}. */
export const WorkerFunctionTypeId: unique symbol = Symbol.for(
  "effect-asyncio/executor/WorkerFunction",
)

/**
 * A function another thread or process can run: an exported, module-level
 * function named by its module URL and export name. Calling it runs `fn`
 * here, on the calling thread.
 */
export interface WorkerFunction<Args extends ReadonlyArray<unknown>, R> {
  (...args: Args): R
  readonly [WorkerFunctionTypeId]: typeof WorkerFunctionTypeId
  /** URL of the module that exports the function (its `import.meta.url`). */
  readonly module: string
  /** The name the module exports the function under. */
  readonly exportName: string
  /** The function itself. */
  readonly fn: (...args: Args) => R
  /** A number for this reference, unique in this thread (used on the wire). */
  readonly key: number
}

/** Any worker function. */
// deno-lint-ignore no-explicit-any
export type AnyWorkerFunction = WorkerFunction<any, any>

let nextKey = 0

/**
 * Declares a worker function: `fn`, exported from the module at `module`
 * under the name `exportName`. Declare it where it is exported, with the
 * module's own URL:
 *
 * ```ts ignore
 * export const func = workerFunction(import.meta.url, "func", (a: string, b: string) => `${a}, ${b}!`)
 * ```
 *
 * A worker imports `module` and calls its export `exportName`, so the two
 * must match (a mismatch fails the task with `TaskNotFoundError`), and the
 * module must be safe to import: keep its entry point behind
 * `if (import.meta.main)`. `fn` may be sync or async; its arguments and
 * result must be structured-cloneable.
 */
export const workerFunction = <Args extends ReadonlyArray<unknown>, R>(
  module: string,
  exportName: string,
  fn: (...args: Args) => R,
): WorkerFunction<Args, R> => {
  const call = (...args: Args): R => fn(...args)
  return Object.defineProperties(call, {
    [WorkerFunctionTypeId]: { value: WorkerFunctionTypeId },
    module: { value: module, enumerable: true },
    exportName: { value: exportName, enumerable: true },
    fn: { value: fn },
    key: { value: nextKey++ },
    name: { value: exportName },
  }) as WorkerFunction<Args, R>
}

/** Whether `u` was declared with {@link workerFunction}. */
export const isWorkerFunction = (u: unknown): u is AnyWorkerFunction =>
  typeof u === "function" &&
  (u as { [WorkerFunctionTypeId]?: unknown })[WorkerFunctionTypeId] === WorkerFunctionTypeId

/** `module#exportName`, for messages. */
export const workerFunctionName = (t: AnyWorkerFunction): string => {
  const file = t.module.slice(t.module.lastIndexOf("/") + 1)
  return `${file}#${t.exportName}`
}
