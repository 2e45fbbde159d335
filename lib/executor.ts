/**
 * Executors: asyncio's `loop.run_in_executor`, `ThreadPoolExecutor`,
 * `ProcessPoolExecutor` and the replaceable default executor, on Effect.
 *
 * JavaScript cannot send a closure to another thread, as Python cannot pickle
 * a lambda: what runs there is a worker function, an exported, module-level
 * function declared with {@link workerFunction} and named by its module URL
 * and export name. Its arguments and result must be structured-cloneable. One
 * call of it submitted to an executor is a task (hence {@link TaskError}, …).
 *
 * - {@link ThreadPoolExecutor} runs tasks on worker threads, {@link ProcessPoolExecutor}
 *   on child processes of the same runtime (Deno runs Deno, Bun runs Bun).
 *   Workers start lazily and are reused; `make` is a scoped resource whose
 *   scope closing shuts the pool down.
 * - `submit` returns an Effect that waits for the result; interrupting it
 *   removes a queued task from the queue, has a task handed to a worker
 *   skipped there (on the worker's word), and terminates (and replaces) the
 *   worker of a running one, which Python cannot do.
 * - A worker that dies fails only the task it was running; the others run
 *   again on its replacement (docs/executors.md has the failure rules).
 * - Failures are typed: {@link TaskError} (the task threw; remote name,
 *   message and stack kept), {@link NotCloneableError} (names the argument),
 *   {@link BrokenWorkerError} (the worker died; the pool replaces it),
 *   {@link TaskNotFoundError}, {@link ExecutorShutdownError}, and on a
 *   cluster executor {@link ClusterDeliveryError} (the cluster failed the message)
 *   and {@link TaskRefusedError} (a runner would not run it).
 * - {@link runInExecutor}`(null, …)` uses the {@link DefaultExecutor}, a
 *   lazily started thread pool, replaceable with {@link setDefaultExecutor}
 *   (a region) or {@link defaultExecutorLayer} (a whole program).
 * - To see that calls ran in parallel, wrap the function's body with
 *   {@link spanned}: each call then says where and when it ran
 *   ({@link mostAtOnce}, {@link workersOf}); {@link trial} and
 *   {@link speedupTable} compare ways of running the same work.
 *
 * @example Run a task on a thread pool (a whole program: save it as main.ts and run it)
 * ```ts
 * import { Effect } from "effect"
 * import { ThreadPoolExecutor, workerFunction } from "effect-asyncio/executor"
 *
 * // A worker function is exported from a module a worker can import: this one.
 * export const add = workerFunction(import.meta.url, "add", (a: number, b: number) => a + b)
 *
 * // The workers import this module too: the program runs only as the entry point.
 * if (import.meta.main) {
 *   const sum = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *     const pool = yield* ThreadPoolExecutor.make({ maxWorkers: 2 })
 *     return yield* pool.submit(add, 40, 2)
 *   })))
 *   console.log(sum) // 42
 * }
 * ```
 *
 * @module
 */
import { Context, Effect, Exit, Layer, type Scope } from "effect"
import { dual } from "effect/Function"
import type { ExecutorError } from "./executor/errors.ts"
import { checkMainGuard } from "./executor/to-error.ts"
import { denoPoolNeeds } from "./executor/deno-flags.ts"
import { MAX_BATCH, Pool, type PoolStats } from "./executor/pool.ts"
import { permissionsNeeded } from "./internal/permissions.ts"
import type { WorkerFunction } from "./executor/worker-function.ts"
import { processSpawner, threadSpawner } from "./executor/transport.ts"
import { zip } from "./executor/zip.ts"

export {
  type AnyWorkerFunction,
  isWorkerFunction,
  type WorkerFunction,
  workerFunction,
} from "./executor/worker-function.ts"
export {
  BrokenWorkerError,
  ClusterDeliveryError,
  type ExecutorError,
  ExecutorShutdownError,
  MissingMainGuardError,
  NotCloneableError,
  TaskError,
  TaskNotFoundError,
  TaskRefusedError,
} from "./executor/errors.ts"
export type { PoolStats as ExecutorStats } from "./executor/pool.ts"
export {
  mostAtOnce,
  type Span,
  type Spanned,
  spanned,
  speedupTable,
  type Trial,
  trial,
  workersOf,
} from "./executor/spans.ts"

/** Options for {@link Executor.shutdown}, as in Python's `Executor.shutdown`. */
export interface ShutdownOptions {
  /** Wait until every submitted task has finished and every worker has exited (default true). */
  readonly wait?: boolean
  /** Cancel the tasks still queued: their fibers are interrupted (default false). */
  readonly cancelFutures?: boolean
}

/** The argument lists of `fn`, one iterable per parameter, for {@link Executor.map}. */
export type Iterables<Args extends ReadonlyArray<unknown>> = {
  [K in keyof Args]: Iterable<Args[K]>
}

/** A pool of workers that runs {@link WorkerFunction}s. */
export interface Executor {
  /** Where tasks run: worker threads, child processes, or the runners of a cluster (`effect-asyncio/cluster`). */
  readonly kind: "thread" | "process" | "cluster"
  readonly maxWorkers: number
  /**
   * Runs `fn(...args)` on a worker and waits for its result. Interrupting
   * the waiting fiber cancels the task: a queued one leaves the queue, one
   * the worker has not started is skipped there, a running one (or one
   * whose busy worker cannot answer within 100 ms) has its worker terminated
   * (and replaced).
   */
  submit<Args extends ReadonlyArray<unknown>, R>(
    fn: WorkerFunction<Args, R>,
    ...args: Args
  ): Effect.Effect<Awaited<R>, ExecutorError>
  /**
   * Like Python's `Executor.map`: calls `fn` with one item of each
   * iterable at a time (stopping at the shortest), results in input order,
   * with a bounded number of tasks in flight. The first failure fails the
   * map and cancels the rest; interrupting it cancels them all. It is the
   * fast way to run many tasks: one Effect for the whole map, no fiber per
   * task.
   */
  map<Args extends ReadonlyArray<unknown>, R>(
    fn: WorkerFunction<Args, R>,
    ...iterables: Iterables<Args>
  ): Effect.Effect<Array<Awaited<R>>, ExecutorError>
  /** Stops accepting tasks and lets the workers go (see {@link ShutdownOptions}). */
  shutdown(options?: ShutdownOptions): Effect.Effect<void>
  /** Worker and queue counts, for tests and monitoring. */
  readonly stats: Effect.Effect<PoolStats>
}

/** Options for {@link ThreadPoolExecutor.make} and {@link ProcessPoolExecutor.make}. */
export interface ExecutorOptions {
  /**
   * The most workers: an integer from 1 to {@link MAX_WORKERS} (default: the
   * number of CPUs). Python's thread pool
   * defaults to `min(32, cpu + 4)` because its threads mostly wait on I/O
   * under the GIL; in JavaScript I/O is already asynchronous on the main
   * thread and each worker is a whole isolate (memory, start-up time), so
   * workers beyond the CPU count only cost. Python's process pool uses the
   * CPU count too.
   */
  readonly maxWorkers?: number
  /**
   * The most tasks waiting in the queue: a positive integer or `Infinity`
   * (default 65 536). Past it, `submit`
   * waits (backpressure) until the queue has room; it can be interrupted
   * while it waits.
   */
  readonly maxQueue?: number
  /**
   * How long a closing worker may take to exit on its own before it is
   * terminated, in ms (default 1 000): the second phase of shutdown.
   *
   * An option out of range makes `make` die with a `RangeError` that names
   * it (a defect: it is a programming error, not a failure to handle).
   */
  readonly closeTimeoutMs?: number
}

const cpuCount = (): number =>
  Math.max(
    1,
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
      ?.hardwareConcurrency ?? 1,
  )

/** The most workers a pool may have: more is a mistake (a worker is a whole isolate or process). */
export const MAX_WORKERS = 1024

/**
 * Checks the options, as `make` does: a value out of range is a programming
 * error, so `make` dies with a `RangeError` naming the option (a defect, not a
 * typed failure: no caller is expected to recover from it).
 */
const checkOptions = (options: ExecutorOptions): void => {
  const { maxWorkers, maxQueue, closeTimeoutMs } = options
  if (
    maxWorkers !== undefined &&
    !(Number.isInteger(maxWorkers) && maxWorkers >= 1 && maxWorkers <= MAX_WORKERS)
  ) {
    throw new RangeError(
      `maxWorkers must be an integer from 1 to ${MAX_WORKERS}, got ${maxWorkers}`,
    )
  }
  if (
    maxQueue !== undefined &&
    !(maxQueue === Number.POSITIVE_INFINITY || (Number.isInteger(maxQueue) && maxQueue >= 1))
  ) {
    throw new RangeError(`maxQueue must be a positive integer or Infinity, got ${maxQueue}`)
  }
  if (
    closeTimeoutMs !== undefined &&
    !(Number.isFinite(closeTimeoutMs) && closeTimeoutMs >= 0 && closeTimeoutMs <= 2 ** 31 - 1)
  ) {
    throw new RangeError(
      `closeTimeoutMs must be a number of ms from 0 to ${2 ** 31 - 1}, got ${closeTimeoutMs}`,
    )
  }
}

const makePool = (kind: "thread" | "process", options: ExecutorOptions = {}): Pool => {
  checkOptions(options)
  checkMainGuard(`a ${kind} pool`)
  // Deno: ask for every permission the workers need now, and name them all if any is missing.
  const { needs, missing } = denoPoolNeeds(kind)
  if (missing.length > 0) throw permissionsNeeded(`a ${kind} pool`, needs, missing)
  return new Pool({
    kind,
    maxWorkers: options.maxWorkers ?? cpuCount(),
    maxQueue: options.maxQueue ?? 65_536,
    closeTimeoutMs: options.closeTimeoutMs ?? 1_000,
    spawner: kind === "thread" ? threadSpawner : processSpawner,
    // A failed send corrupts Deno's child pipe protocol less than it costs to check first.
    precheckArgs: kind === "process",
  })
}

const fromPool = (pool: Pool): Executor => {
  const submit = <Args extends ReadonlyArray<unknown>, R>(
    fn: WorkerFunction<Args, R>,
    ...args: Args
  ): Effect.Effect<Awaited<R>, ExecutorError> =>
    Effect.callback<Awaited<R>, ExecutorError>((resume) => {
      const job = pool.submit(fn, args, resume)
      if (job !== undefined) return Effect.sync(() => pool.cancel(job))
    })
  const shutdown = (options?: ShutdownOptions): Effect.Effect<void> =>
    options?.wait === false
      ? Effect.sync(() => pool.shutdown(options.cancelFutures ?? false))
      : Effect.callback<void>((resume) => {
        pool.shutdown(options?.cancelFutures ?? false, () => resume(Effect.void))
      })
  return {
    kind: pool.options.kind,
    maxWorkers: pool.options.maxWorkers,
    submit,
    map: <Args extends ReadonlyArray<unknown>, R>(
      fn: WorkerFunction<Args, R>,
      ...iterables: Iterables<Args>
    ) =>
      Effect.callback<Array<Awaited<R>>, ExecutorError>((resume) => {
        const cancel = pool.map(
          fn,
          zip(iterables),
          // Enough in flight for full batches on every worker, no more.
          pool.options.maxWorkers * MAX_BATCH * 2,
          resume,
        )
        if (cancel !== undefined) return Effect.sync(cancel)
      }),
    shutdown,
    stats: Effect.sync(() => pool.stats()),
  }
}

/** Closes the pool with its scope: waits for the tasks on success, stops everything otherwise. */
const scoped = (pool: Pool): Effect.Effect<Executor, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => fromPool(pool)),
    (_, exit) =>
      Exit.isSuccess(exit)
        ? Effect.callback<void>((resume) => pool.shutdown(false, () => resume(Effect.void)))
        : Effect.callback<void>((resume) => pool.terminate(() => resume(Effect.void))),
  )

/**
 * Python's `concurrent.futures.ThreadPoolExecutor`, on worker threads.
 *
 * @example Map a task over arguments (a whole program: save it as main.ts and run it)
 * ```ts
 * import { Effect } from "effect"
 * import { ThreadPoolExecutor, workerFunction } from "effect-asyncio/executor"
 *
 * export const add = workerFunction(import.meta.url, "add", (a: number, b: number) => a + b)
 *
 * if (import.meta.main) {
 *   const sums = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *     const pool = yield* ThreadPoolExecutor.make({ maxWorkers: 2 })
 *     return yield* pool.map(add, [1, 2, 3], [10, 20, 30])
 *   })))
 *   console.log(sums) // [ 11, 22, 33 ]
 * }
 * ```
 */
export const ThreadPoolExecutor = {
  /** A thread pool that lives as long as the enclosing `Scope`. */
  make: (options?: ExecutorOptions): Effect.Effect<Executor, never, Scope.Scope> =>
    Effect.suspend(() => scoped(makePool("thread", options))),
}

/**
 * Python's `concurrent.futures.ProcessPoolExecutor`, on child processes of the
 * same runtime. Arguments and results are serialized with `node:v8`
 * (structured clone); a non-cloneable argument fails at `submit`.
 *
 * @example Run a task in a child process (a whole program: save it as main.ts and run it)
 * ```ts
 * import { Effect } from "effect"
 * import { ProcessPoolExecutor, workerFunction } from "effect-asyncio/executor"
 *
 * export const add = workerFunction(import.meta.url, "add", (a: number, b: number) => a + b)
 *
 * if (import.meta.main) {
 *   const sum = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *     const pool = yield* ProcessPoolExecutor.make({ maxWorkers: 1 })
 *     return yield* pool.submit(add, 1, 2)
 *   })))
 *   console.log(sum) // 3
 * }
 * ```
 */
export const ProcessPoolExecutor = {
  /** A process pool that lives as long as the enclosing `Scope`. */
  make: (options?: ExecutorOptions): Effect.Effect<Executor, never, Scope.Scope> =>
    Effect.suspend(() => scoped(makePool("process", options))),
}

/**
 * The executor `runInExecutor(null, …)` uses, like the loop's default
 * executor in asyncio.
 *
 * Its default value is one thread pool per program, started lazily on first
 * use and never shut down: its workers are `unref`'d whenever they are idle,
 * so it never keeps the program alive, and they end with the process. (Tying
 * it to the `run` scope instead would not cover programs started with
 * `Effect.runPromise`, and a second `run` would find it shut down.)
 * Replace it with {@link setDefaultExecutor} or {@link defaultExecutorLayer}.
 */
export const DefaultExecutor: Context.Reference<Executor> = Context.Reference<Executor>(
  "effect-asyncio/executor/DefaultExecutor",
  { defaultValue: () => fromPool(makePool("thread")) },
)

/**
 * `loop.run_in_executor(executor, func, *args)`: runs `fn(...args)` on
 * `executor`, or on the {@link DefaultExecutor} when `executor` is `null`.
 *
 * @example On the default executor (a whole program: save it as main.ts and run it)
 * ```ts
 * import { Effect } from "effect"
 * import { runInExecutor, workerFunction } from "effect-asyncio/executor"
 *
 * export const add = workerFunction(import.meta.url, "add", (a: number, b: number) => a + b)
 *
 * if (import.meta.main) {
 *   console.log(await Effect.runPromise(runInExecutor(null, add, 2, 3))) // 5
 * }
 * ```
 */
export const runInExecutor = <Args extends ReadonlyArray<unknown>, R>(
  executor: Executor | null,
  fn: WorkerFunction<Args, R>,
  ...args: Args
): Effect.Effect<Awaited<R>, ExecutorError> =>
  executor === null
    ? Effect.flatMap(Effect.service(DefaultExecutor), (ex) => ex.submit(fn, ...args))
    : executor.submit(fn, ...args)

/**
 * `loop.set_default_executor(executor)` for a region: inside `self`,
 * `runInExecutor(null, …)` runs on `executor`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DefaultExecutor, setDefaultExecutor, ThreadPoolExecutor } from "effect-asyncio/executor"
 * import assert from "node:assert/strict"
 *
 * await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   const pool = yield* ThreadPoolExecutor.make({ maxWorkers: 1 })
 *   const inside = yield* Effect.service(DefaultExecutor).pipe(setDefaultExecutor(pool))
 *   assert.equal(inside, pool)
 * })))
 * ```
 */
export const setDefaultExecutor: {
  (executor: Executor): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, executor: Executor): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, executor: Executor): Effect.Effect<A, E, R> =>
    Effect.provideService(self, DefaultExecutor, executor),
)

/**
 * `loop.set_default_executor` for a whole program: a layer that builds the
 * executor (e.g. `ThreadPoolExecutor.make({ maxWorkers: 4 })`), makes it the
 * default, and shuts it down when the layer is released.
 */
export const defaultExecutorLayer = <E, R>(
  make: Effect.Effect<Executor, E, R>,
): Layer.Layer<never, E, Exclude<R, Scope.Scope>> =>
  Layer.effect(DefaultExecutor, make) as unknown as Layer.Layer<never, E, Exclude<R, Scope.Scope>>
