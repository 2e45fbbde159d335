/**
 * `ClusterExecutor`: the `Executor` interface over an Effect Cluster of
 * runners. Internal to `effect-asyncio/cluster`, which re-exports it.
 *
 * Joining: the member's credentials (its TLS directory and the secret), then
 * the sharding client over mutual TLS, all within the connect timeout.
 * Start-up of the local default is local.ts, the batching client client.ts,
 * the delivery policy delivery.ts.
 *
 * @module
 */
import process from "node:process"
import { Cause, Context, Data, Effect, Layer, type Scope } from "effect"
import { RunnerStorage } from "effect/cluster"
import { type ClusterExecutor as Shape, makeExecutor } from "./client.ts"
import type { Runtime } from "./child.ts"
import { sharding, sqlLayer } from "./config.ts"
import {
  type ClusterCredentials,
  ClusterCredentialsError,
  ENV,
  readCredentials,
} from "./credentials.ts"
import { TaskEntity } from "./entity.ts"
import { positive, startLocal } from "./local.ts"
import { clusterLayer } from "./transport.ts"
import { boundedByRunners } from "./no-runners.ts"

/** An {@link Executor} over a cluster, plus what it started locally (see client.ts). */
export type ClusterExecutor = Shape

/** The cluster could not be reached (or started) within the connect timeout. */
export class ClusterUnavailableError extends Data.TaggedError("ClusterUnavailableError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

const unavailable = (cause: Cause.Cause<unknown>): ClusterUnavailableError => {
  const error = Cause.squash(cause)
  return error instanceof ClusterUnavailableError ? error : new ClusterUnavailableError({
    message: `cannot reach the cluster database: ${
      String((error as { message?: string })?.message ?? error)
    }`,
    cause: error,
  })
}

/** Options for {@link ClusterExecutor.make}. */
export interface ClusterExecutorOptions {
  /**
   * Postgres URL of an existing cluster to join. Without it, an embedded
   * Postgres and local runners are started for the scope.
   */
  readonly databaseUrl?: string | undefined
  /**
   * The local runners to start when there is no `databaseUrl`: a count (of
   * this program's runtime) or one runtime per runner, e.g. `["deno", "bun"]`
   * (default 2).
   */
  readonly runners?: number | ReadonlyArray<Runtime> | undefined
  /** Worker processes per local runner (default 1). */
  readonly poolSize?: number | undefined
  /**
   * Whose tasks the local runners run: directories, `file:` URLs, package
   * names or specifier prefixes (default: this program's project root).
   * `node:`, `data:`, `https:`, `npm:`… specifiers only when named here.
   */
  readonly allowModules?: ReadonlyArray<string> | undefined
  /**
   * The TLS directory to join a cluster with (made by `lib/cluster/certs.ts`:
   * `ca.crt`, `cert.pem`, `key.pem`, `secret`); default
   * `$EFFECT_ASYNCIO_CLUSTER_TLS_DIR`. Ignored by the local default, which
   * makes throwaway ones.
   */
  readonly tlsDir?: string | undefined
  /**
   * The cluster's secret, when not in `<tlsDir>/secret`; default
   * `$EFFECT_ASYNCIO_CLUSTER_SECRET`.
   */
  readonly secret?: string | undefined
  /**
   * How long to wait for the cluster (the database, and local runners to
   * join) before failing with {@link ClusterUnavailableError}, in ms
   * (default 10 000; starting an embedded Postgres gets 60 000 more).
   */
  readonly connectTimeoutMs?: number | undefined
  /**
   * How long tasks in flight wait while no runner of the cluster is alive
   * before they fail with `ClusterDeliveryError` (`clusterError:
   * "NoRunners"`), in ms (default 30 000).
   */
  readonly noRunnersTimeoutMs?: number | undefined
}

/** The credentials to join with: the options', else the environment's. */
const joinCredentials = (
  options: ClusterExecutorOptions,
): Effect.Effect<ClusterCredentials, ClusterCredentialsError> => {
  const tlsDir = options.tlsDir ?? process.env[ENV.tlsDir]
  if (tlsDir === undefined) {
    return Effect.fail(
      new ClusterCredentialsError({
        message:
          `joining a cluster needs its TLS directory: give tlsDir or set ${ENV.tlsDir} (make one with lib/cluster/certs.ts)`,
      }),
    )
  }
  return readCredentials({ tlsDir, secret: options.secret ?? process.env[ENV.secret] })
}

const make = (
  options: ClusterExecutorOptions = {},
  insecureLoopback = false,
): Effect.Effect<
  ClusterExecutor,
  ClusterUnavailableError | ClusterCredentialsError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const connectTimeoutMs = positive("connectTimeoutMs", options.connectTimeoutMs, 10_000)
    const poolSize = positive("poolSize", options.poolSize, 1)
    const local = options.databaseUrl === undefined
      ? yield* startLocal({
        runners: options.runners,
        poolSize,
        allowModules: options.allowModules,
        connectTimeoutMs,
        insecureLoopback,
      }).pipe(
        Effect.mapError((e) =>
          e._tag === "ClusterCredentialsError"
            ? e
            : new ClusterUnavailableError({ message: e.message, cause: e })
        ),
      )
      : {
        url: options.databaseUrl,
        runnerPids: [] as ReadonlyArray<number>,
        tlsDir: undefined,
        credentials: yield* joinCredentials(options),
      }
    const context = yield* Layer.build(
      clusterLayer({
        clientOnly: true,
        tls: insecureLoopback ? "insecure-loopback" : local.credentials,
        shardingConfig: sharding,
      }).pipe(
        Layer.provide(sqlLayer(local.url, connectTimeoutMs)),
      ),
    ).pipe(
      Effect.timeoutOrElse({
        duration: connectTimeoutMs,
        orElse: (): Effect.Effect<never, ClusterUnavailableError> =>
          Effect.fail(
            new ClusterUnavailableError({
              message: `the cluster database did not answer within ${connectTimeoutMs} ms`,
            }),
          ),
      }),
      // Some storage layers die rather than fail when the database is down: every way
      // the connection fails is the same typed error for the caller.
      Effect.catchCause((cause) =>
        Cause.hasInterruptsOnly(cause) ? Effect.interrupt : Effect.fail(unavailable(cause))
      ),
    )
    const client = yield* Effect.provideContext(
      TaskEntity.client,
      context as never,
    ) as Effect.Effect<
      Effect.Success<typeof TaskEntity.client>,
      never,
      never
    >
    return yield* boundedByRunners(
      makeExecutor(
        client,
        insecureLoopback ? undefined : local.credentials.secret,
        local,
        local.url,
      ),
      Context.get(context, RunnerStorage.RunnerStorage),
      positive("noRunnersTimeoutMs", options.noRunnersTimeoutMs, 30_000),
    )
  })

/**
 * An executor whose tasks run on the runners of an Effect Cluster: the same
 * `submit` / `map` / `shutdown` / `stats` as the local pools, for
 * `runInExecutor`, `setDefaultExecutor` and `defaultExecutorLayer`.
 */
export const ClusterExecutor = {
  /**
   * Joins the cluster at `databaseUrl` with the credentials of `tlsDir`, or
   * starts a local one (throwaway credentials, an embedded Postgres and
   * `runners` local runner processes) for the scope. Fails with
   * {@link ClusterUnavailableError} when it cannot within the connect
   * timeout, with {@link ClusterCredentialsError} when the credentials are
   * missing or readable by others.
   */
  make: (
    options?: ClusterExecutorOptions,
  ): Effect.Effect<
    ClusterExecutor,
    ClusterUnavailableError | ClusterCredentialsError,
    Scope.Scope
  > => Effect.suspend(() => make(options)),
}

/**
 * The bench's baseline, not exported by `effect-asyncio/cluster`: a local
 * cluster as before it was secured (plain TCP, unsigned messages, loopback
 * only), to measure what TLS and signing cost.
 */
export const makeInsecureLocalForBench = (
  options: Omit<ClusterExecutorOptions, "databaseUrl">,
): Effect.Effect<ClusterExecutor, ClusterUnavailableError | ClusterCredentialsError, Scope.Scope> =>
  Effect.suspend(() => make({ ...options, databaseUrl: undefined }, true))

export type { Runtime }
