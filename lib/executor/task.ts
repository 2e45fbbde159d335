/**
 * Task references: how a function is named so that another thread or process
 * can run it. Internal to `effect-asyncio/executor`, which re-exports it; it
 * does not import Effect, so workers load it cheaply.
 *
 * @module
 */

/** Brands a {@link Task}. */
export const TaskTypeId: unique symbol = Symbol.for("effect-asyncio/executor/Task")

/**
 * A function another thread or process can run: an exported, module-level
 * function named by its module URL and export name. Calling it runs `fn`
 * here, on the calling thread.
 */
export interface Task<Args extends ReadonlyArray<unknown>, R> {
  (...args: Args): R
  readonly [TaskTypeId]: typeof TaskTypeId
  /** URL of the module that exports the task (its `import.meta.url`). */
  readonly module: string
  /** The name the module exports the task under. */
  readonly exportName: string
  /** The function itself. */
  readonly fn: (...args: Args) => R
  /** A number for this reference, unique in this thread (used on the wire). */
  readonly key: number
}

/** Any task. */
// deno-lint-ignore no-explicit-any
export type AnyTask = Task<any, any>

let nextKey = 0

/**
 * Declares a task: `fn`, exported from the module at `module` under the name
 * `exportName`. Declare it where it is exported, with the module's own URL:
 *
 * ```ts ignore
 * export const func = task(import.meta.url, "func", (a: string, b: string) => `${a}, ${b}!`)
 * ```
 *
 * A worker imports `module` and calls its export `exportName`, so the two
 * must match (a mismatch fails the task with `TaskNotFoundError`), and the
 * module must be safe to import: keep its entry point behind
 * `if (import.meta.main)`. `fn` may be sync or async; its arguments and
 * result must be structured-cloneable.
 */
export const task = <Args extends ReadonlyArray<unknown>, R>(
  module: string,
  exportName: string,
  fn: (...args: Args) => R,
): Task<Args, R> => {
  const call = (...args: Args): R => fn(...args)
  return Object.defineProperties(call, {
    [TaskTypeId]: { value: TaskTypeId },
    module: { value: module, enumerable: true },
    exportName: { value: exportName, enumerable: true },
    fn: { value: fn },
    key: { value: nextKey++ },
    name: { value: exportName },
  }) as Task<Args, R>
}

/** Whether `u` was declared with {@link task}. */
export const isTask = (u: unknown): u is AnyTask =>
  typeof u === "function" && (u as { [TaskTypeId]?: unknown })[TaskTypeId] === TaskTypeId

/** `module#exportName`, for messages. */
export const taskName = (t: AnyTask): string => {
  const file = t.module.slice(t.module.lastIndexOf("/") + 1)
  return `${file}#${t.exportName}`
}
