/**
 * `ClusterExecutor`: `runInExecutor(cluster, fn, ...args)` with the work
 * spread over runner processes on many machines, on Effect Cluster (the
 * asyncio user's `loop.run_in_executor(client.get_executor(), …)` with Dask).
 *
 * - A task travels as `workerFunction(...)` names it: module specifier, export name,
 *   and its arguments (structured-clone values). The specifier must resolve
 *   on every runner: a package name every runner has installed, not a
 *   `file://` path of the caller's machine (that works only when every
 *   runner runs on the same machine, as with the local default).
 * - A runner (`lib/cluster/runner.ts`) runs what it receives in its own
 *   local `ProcessPoolExecutor`: interrupting the caller terminates the
 *   worker running the task, wherever it is.
 * - Delivery is at least once: when a runner dies mid-task its shards move
 *   to another runner once their lock expires (5 s), and the task runs again
 *   there. Tasks should be idempotent.
 * - Without `databaseUrl`, `make` starts an embedded Postgres and local
 *   runners for the scope, so this works after `npm install` alone; every
 *   process it started stops with the scope, or when the program is killed.
 * - Members authenticate each other: runner sockets speak mutual TLS (a
 *   certificate from the cluster's CA or no message gets through), every
 *   task message is signed with the cluster's secret, and a runner imports
 *   only modules of its allow-list; anything else fails with
 *   `TaskRefusedError` and never runs. The local default makes throwaway
 *   credentials; a real cluster's come from `lib/cluster/certs.ts` (the
 *   README's "Security" section).
 *
 * @example Run a task on a local cluster of two runners (a whole program: save it as main.ts and run it)
 * ```ts
 * import { Effect } from "effect"
 * import { runInExecutor, workerFunction } from "effect-asyncio/executor"
 * import { ClusterExecutor } from "effect-asyncio/cluster"
 *
 * // The runners' workers import this module: a file of this machine suits local runners.
 * export const add = workerFunction(import.meta.url, "add", (a: number, b: number) => a + b)
 *
 * if (import.meta.main) {
 *   const sum = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *     const cluster = yield* ClusterExecutor.make({ runners: 2 })
 *     return yield* runInExecutor(cluster, add, 40, 2)
 *   })))
 *   console.log(sum) // 42
 * }
 * ```
 *
 * @module
 */
export { ClusterDeliveryError, TaskRefusedError } from "./executor/errors.ts"
export {
  ClusterExecutor,
  type ClusterExecutorOptions,
  ClusterUnavailableError,
} from "./cluster/executor.ts"
export { ClusterCredentialsError } from "./cluster/credentials.ts"
export { SHARD_LOCK_EXPIRATION_MS } from "./cluster/config.ts"
export type { Runtime } from "./cluster/child.ts"
