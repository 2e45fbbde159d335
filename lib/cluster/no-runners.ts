/**
 * A bound on waiting for runners: Effect Cluster keeps a message for a shard
 * no runner holds until one does, so with every runner gone a task would wait
 * forever. Internal to `effect-asyncio/cluster`.
 *
 * While tasks are in flight, the client checks every {@link CHECK_MS} that
 * some runner is alive (registered, healthy, with a fresh heartbeat); when
 * none has been for the bound, the tasks in flight fail with
 * `ClusterDeliveryError` (`clusterError: "NoRunners"`). Like Dask's
 * `no-workers-timeout`, but never unbounded.
 *
 * @module
 */
import { Deferred, Effect, Exit, type Scope } from "effect"
import type { RunnerStorage } from "effect/cluster"
import { type AnyWorkerFunction, ClusterDeliveryError } from "../executor.ts"
import { workerFunctionName } from "../executor/worker-function.ts"
import type { ClusterExecutor } from "./client.ts"

/** How often a client with tasks in flight checks that some runner is alive (ms). */
export const CHECK_MS = 500

/**
 * `executor` whose tasks fail once no runner has been alive for
 * `timeoutMs`; the check runs for the scope.
 */
export const boundedByRunners = (
  executor: ClusterExecutor,
  storage: RunnerStorage.RunnerStorage["Service"],
  timeoutMs: number,
): Effect.Effect<ClusterExecutor, never, Scope.Scope> =>
  Effect.gen(function* () {
    // Completed when no runner has been alive for the bound; then replaced.
    let gone = Deferred.makeUnsafe<void>()
    let lastAlive = Date.now()
    yield* Effect.gen(function* () {
      const { running } = yield* executor.stats
      if (running === 0) {
        lastAlive = Date.now()
        return
      }
      const runners = yield* Effect.orElseSucceed(storage.getRunners, () => undefined)
      // Storage unreachable is not a sign that the runners are gone.
      if (runners === undefined || runners.some(([, healthy]) => healthy)) {
        lastAlive = Date.now()
      } else if (Date.now() - lastAlive >= timeoutMs) {
        const fired = gone
        gone = Deferred.makeUnsafe<void>()
        Deferred.doneUnsafe(fired, Exit.void)
        lastAlive = Date.now()
      }
    }).pipe(Effect.andThen(Effect.sleep(CHECK_MS)), Effect.forever, Effect.forkScoped)

    const noRunners = (t: AnyWorkerFunction) =>
      Effect.suspend(() => Deferred.await(gone)).pipe(Effect.andThen(Effect.suspend(() =>
        Effect.fail(
          new ClusterDeliveryError({
            // Not a task at all: the executor refuses it before this can fire.
            task: typeof t?.module === "string" ? workerFunctionName(t) : String(t),
            clusterError: "NoRunners",
            message: `no runner of the cluster was alive for ${timeoutMs} ms`,
          }),
        )
      )))
    return {
      ...executor,
      submit: (t, ...args) => Effect.raceFirst(executor.submit(t, ...args), noRunners(t)),
      map: (t, ...iterables) => Effect.raceFirst(executor.map(t, ...iterables), noRunners(t)),
    }
  })
