/**
 * `ClusterExecutor`: the `Executor` interface over an Effect Cluster of
 * runners. Internal to `effect-asyncio/cluster`, which re-exports it.
 *
 * @module
 */
import { Cause, Data, Effect, Layer, type Scope } from "effect"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import {
  type AnyTask,
  ClusterDeliveryError,
  type Executor,
  type ExecutorError,
  type ExecutorStats,
  type Iterables,
  NotCloneableError,
  type ShutdownOptions,
  type Task,
} from "../executor.ts"
import { notATask as closure, refusal } from "../executor/failures.ts"
import { taskName } from "../executor/task.ts"
import { zip } from "../executor/zip.ts"
import { type ClusterStartError, freePort, type Runtime, startChild } from "./child.ts"
import { DATABASE_URL_ENV, sharding, sqlLayer } from "./config.ts"
import { fromJson, TaskEntity, toError, toJson } from "./entity.ts"
import { embeddedPostgres } from "./postgres.ts"

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
   * How long to wait for the cluster (the database, and local runners to
   * join) before failing with {@link ClusterUnavailableError}, in ms
   * (default 10 000; starting an embedded Postgres gets 60 000 more).
   */
  readonly connectTimeoutMs?: number | undefined
}

/** Entity ids a client spreads its messages over (each hashes to a shard, hence a runner). */
const ENTITY_IDS = 64
/** The most calls of a `map` in one message. */
const MAX_BATCH = 512
/** Messages of one `map` in flight at once. */
const MAP_CONCURRENCY = 16
/** How often a dropped message is sent again before its tasks fail. */
const MAX_RESENDS = 20
/** The pause before sending a dropped message again (ms). */
const RESEND_DELAY_MS = 250
/** A burst of calls goes out as about this many messages, to spread it over the runners. */
const SPREAD = 8

const option = (name: string, value: number | undefined, fallback: number): number => {
  const n = value ?? fallback
  if (!(Number.isInteger(n) && n > 0)) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`)
  }
  return n
}

/** What a message the cluster could not deliver means to the caller of one of its tasks. */
const clusterFailure = (
  t: AnyTask,
  cause: Cause.Cause<{ readonly _tag: string }>,
): ClusterDeliveryError => {
  const error = Cause.findErrorOption(cause)
  const clusterError = error._tag === "Some"
    ? error.value._tag
    : Cause.hasInterruptsOnly(cause)
    ? "Interrupted"
    : "Defect"
  return new ClusterDeliveryError({
    task: taskName(t),
    clusterError,
    message: `the cluster could not deliver the task: ${
      error._tag === "Some" ? error.value._tag : Cause.pretty(cause).split("\n")[0]
    }`,
    cause: error._tag === "Some" ? error.value : Cause.squash(cause),
  })
}

/** Cluster errors worth sending a message again for: its shard is moving to another runner. */
const TRANSIENT = new Set(["EntityNotAssignedToRunner", "MailboxFull", "RunnerUnavailable"])

/**
 * Sends a message, and again (up to {@link MAX_RESENDS} times, {@link RESEND_DELAY_MS}
 * apart) when the cluster drops it: a runner that lost its shards (it died, or
 * stopped answering health checks) abandons the messages it had, which the
 * cluster reports as an interruption. At least once: a message resent may
 * have run, in part, before.
 */
const resend = <A, E extends { readonly _tag: string }>(
  send: () => Effect.Effect<A, E>,
  attempt = 0,
): Effect.Effect<A, E> =>
  Effect.catchCause(send(), (cause) => {
    const error = Cause.findErrorOption(cause)
    const transient = error._tag === "Some"
      ? TRANSIENT.has(error.value._tag)
      : Cause.hasInterruptsOnly(cause)
    if (!transient || attempt >= MAX_RESENDS) return Effect.failCause(cause)
    return Effect.andThen(Effect.sleep(RESEND_DELAY_MS), resend(send, attempt + 1))
  })

const notATask = (t: unknown) => closure(t, "a runner")

/** Names the argument of `args` that cannot travel (undefined when they all can). */
const badArgument = (t: AnyTask, args: ReadonlyArray<unknown>): NotCloneableError | undefined => {
  for (let i = 0; i < args.length; i++) {
    try {
      toJson(args[i])
    } catch (e) {
      return new NotCloneableError({
        task: t.exportName,
        argument: i,
        message: `argument ${i} of ${t.exportName} could not be sent: ${
          e instanceof Error ? e.message : String(e)
        }`,
      })
    }
  }
  return undefined
}

const localRuntimes = (runners: ClusterExecutorOptions["runners"]): ReadonlyArray<Runtime> => {
  if (Array.isArray(runners)) return runners as ReadonlyArray<Runtime>
  const n = option("runners", runners as number | undefined, 2)
  const self: Runtime = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
    ? "deno"
    : "bun"
  return Array.from({ length: n }, () => self)
}

/** Starts the single-machine default: an embedded Postgres and local runners. */
const startLocal = (
  options: ClusterExecutorOptions,
  connectTimeoutMs: number,
): Effect.Effect<{ url: string; runners: ReadonlyArray<number> }, ClusterStartError, Scope.Scope> =>
  Effect.gen(function* () {
    const url = yield* embeddedPostgres({ readyTimeoutMs: connectTimeoutMs + 60_000 })
    const poolSize = option("poolSize", options.poolSize, 1)
    const runners = yield* Effect.forEach(
      localRuntimes(options.runners),
      (runtime) =>
        Effect.flatMap(freePort, (port) =>
          startChild({
            runtime,
            module: "runner",
            // The URL holds the password: the environment, never the command line.
            env: { [DATABASE_URL_ENV]: url },
            args: [
              "--pool-size",
              String(poolSize),
              "--port",
              String(port),
              "--die-with-parent",
            ],
            readyTimeoutMs: connectTimeoutMs + 30_000,
            closeTimeoutMs: 6_000,
          })),
      { concurrency: "unbounded" },
    )
    return { url, runners: runners.map((r) => r.pid) }
  })

/** An {@link Executor} over a cluster, plus the pids of the local runners it started. */
export interface ClusterExecutor extends Executor {
  /** Pids of the local runner processes this executor started (empty when it joined a cluster). */
  readonly runnerPids: ReadonlyArray<number>
  /** The cluster's Postgres URL: give it to runners and clients on other machines to join. */
  readonly databaseUrl: string
}

const make = (
  options: ClusterExecutorOptions = {},
): Effect.Effect<ClusterExecutor, ClusterUnavailableError, Scope.Scope> =>
  Effect.gen(function* () {
    const connectTimeoutMs = option("connectTimeoutMs", options.connectTimeoutMs, 10_000)
    const local = options.databaseUrl === undefined
      ? yield* Effect.mapError(
        startLocal(options, connectTimeoutMs),
        (e) => new ClusterUnavailableError({ message: e.message, cause: e }),
      )
      : { url: options.databaseUrl, runners: [] as ReadonlyArray<number> }
    const context = yield* Layer.build(
      NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: sharding }).pipe(
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
    return makeExecutor(client, local.runners, local.url)
  })

type Client = Effect.Success<typeof TaskEntity.client>

// deno-lint-ignore no-explicit-any
type Resume = (effect: Effect.Effect<any, ExecutorError>) => void

/** One `submit`: waiting to be sent, sent, or settled. */
interface Call {
  readonly key: string
  readonly task: AnyTask
  /** `[key, module, exportName, args]` as JSON text. */
  readonly json: string
  readonly resume: Resume
  entityId: string | undefined
  done: boolean
}

const outcomeOf = (ok: boolean, tree: unknown): Effect.Effect<unknown, ExecutorError> =>
  ok
    ? Effect.succeed(fromJson(tree))
    : Effect.fail(toError(fromJson(tree) as Record<string, unknown>))

const makeExecutor = (
  client: Client,
  runnerPids: ReadonlyArray<number>,
  databaseUrl: string,
): ClusterExecutor => {
  let closed = false
  let next = 0
  let running = 0
  let crashed = 0
  const idle: Array<() => void> = []
  // Call keys are unique across every client of the cluster.
  const prefix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}/`
  let nextKey = 0
  const entityId = () => String(next++ % ENTITY_IDS)
  const started = (n: number) => {
    running += n
  }
  const finished = (n: number) => {
    running -= n
    if (running === 0) { for (const f of idle.splice(0)) f() }
  }
  const refused = (t: unknown): ExecutorError | undefined => refusal(closed, t, "a runner")

  // The submits of one tick go out together, a few messages spread over the runners.
  let pending: Array<Call> = []
  let flushScheduled = false
  const settle = (call: Call, effect: Effect.Effect<unknown, ExecutorError>) => {
    if (call.done) return
    call.done = true
    finished(1)
    call.resume(effect)
  }
  const send = (calls: Array<Call>) => {
    const id = entityId()
    for (const call of calls) call.entityId = id
    const byKey = new Map(calls.map((call) => [call.key, call]))
    Effect.runFork(
      resend(() => client(id).RunMany({ calls: `[${calls.map((c) => c.json).join(",")}]` })).pipe(
        Effect.matchCause({
          onSuccess: (text) => {
            const reply = JSON.parse(text) as Array<[string, boolean, unknown]> | { error: unknown }
            if (!Array.isArray(reply)) {
              const error = toError(reply.error as Record<string, unknown>)
              for (const call of calls) settle(call, Effect.fail(error))
              return
            }
            for (const [key, ok, tree] of reply) {
              const call = byKey.get(key)
              if (call !== undefined && !call.done) settle(call, outcomeOf(ok, tree))
            }
          },
          onFailure: (cause) => {
            crashed++
            for (const call of calls) settle(call, Effect.fail(clusterFailure(call.task, cause)))
          },
        }),
      ),
    )
  }
  const flush = () => {
    flushScheduled = false
    const calls = pending.filter((call) => !call.done)
    pending = []
    if (calls.length === 0) return
    const size = Math.min(MAX_BATCH, Math.max(1, Math.ceil(calls.length / SPREAD)))
    for (let i = 0; i < calls.length; i += size) send(calls.slice(i, i + size))
  }
  const cancel = (call: Call) => {
    if (call.done) return
    call.done = true
    finished(1)
    // Sent: the runner stops it (terminating its worker); not sent: it never leaves.
    if (call.entityId !== undefined) {
      Effect.runFork(Effect.ignore(client(call.entityId).Cancel({ keys: [call.key] })))
    }
  }

  const submit = <Args extends ReadonlyArray<unknown>, R>(
    t: Task<Args, R>,
    ...args: Args
  ): Effect.Effect<Awaited<R>, ExecutorError> =>
    Effect.callback<Awaited<R>, ExecutorError>((resume) => {
      const refusal = refused(t)
      if (refusal !== undefined) return resume(Effect.fail(refusal))
      const key = prefix + (nextKey++).toString(36)
      let json: string
      try {
        json = JSON.stringify([key, t.module, t.exportName, toJson(args)])
      } catch {
        return resume(Effect.fail(badArgument(t, args) ?? notATask(t)))
      }
      const call: Call = { key, task: t, json, resume, entityId: undefined, done: false }
      started(1)
      pending.push(call)
      if (!flushScheduled) {
        flushScheduled = true
        queueMicrotask(flush)
      }
      return Effect.sync(() => cancel(call))
    })

  const map = <Args extends ReadonlyArray<unknown>, R>(
    t: Task<Args, R>,
    ...iterables: Iterables<Args>
  ): Effect.Effect<Array<Awaited<R>>, ExecutorError> =>
    Effect.suspend(() => {
      const refusal = refused(t)
      if (refusal !== undefined) return Effect.fail(refusal)
      const calls = zip(iterables)
      if (calls.length === 0) return Effect.succeed([])
      // Enough messages to keep every runner busy, each as full as that allows.
      const size = Math.min(MAX_BATCH, Math.max(1, Math.ceil(calls.length / SPREAD)))
      const chunks: Array<string> = []
      for (let i = 0; i < calls.length; i += size) {
        const chunk = calls.slice(i, i + size)
        try {
          chunks.push(JSON.stringify(toJson(chunk)))
        } catch {
          // Name the call's argument, as the process pool does.
          for (const args of chunk) {
            const bad = badArgument(t, args)
            if (bad !== undefined) return Effect.fail(bad)
          }
          return Effect.fail(notATask(t))
        }
      }
      started(calls.length)
      return Effect.forEach(
        chunks,
        (json) =>
          Effect.suspend(() => {
            const id = entityId()
            return resend(() =>
              client(id).RunBatch({ module: t.module, exportName: t.exportName, calls: json })
            )
          })
            .pipe(
              Effect.catchCause((cause) => {
                crashed++
                return Effect.fail(clusterFailure(t, cause))
              }),
              Effect.flatMap((text) => {
                const [ok, tree] = JSON.parse(text) as [boolean, unknown]
                return outcomeOf(ok, tree)
              }),
            ),
        { concurrency: MAP_CONCURRENCY },
      ).pipe(
        Effect.map((parts) => (parts as Array<Array<unknown>>).flat()),
        Effect.ensuring(Effect.sync(() => finished(calls.length))),
      ) as Effect.Effect<Array<Awaited<R>>, ExecutorError>
    })

  const shutdown = (options?: ShutdownOptions): Effect.Effect<void> =>
    Effect.suspend(() => {
      closed = true
      if (options?.wait === false || running === 0) return Effect.void
      return Effect.callback<void>((resume) => {
        idle.push(() => resume(Effect.void))
      })
    })

  return {
    kind: "cluster",
    maxWorkers: Math.max(1, runnerPids.length),
    runnerPids,
    databaseUrl,
    submit,
    map,
    shutdown,
    stats: Effect.sync((): ExecutorStats => ({
      workers: runnerPids.length,
      spawned: runnerPids.length,
      crashed,
      queued: pending.length,
      running,
    })),
  }
}

/**
 * An executor whose tasks run on the runners of an Effect Cluster: the same
 * `submit` / `map` / `shutdown` / `stats` as the local pools, for
 * `runInExecutor`, `setDefaultExecutor` and `defaultExecutorLayer`.
 */
export const ClusterExecutor = {
  /**
   * Joins the cluster at `databaseUrl`, or starts a local one (embedded
   * Postgres and `runners` local runner processes) for the scope. Fails with
   * {@link ClusterUnavailableError} when it cannot within the connect timeout.
   */
  make: (
    options?: ClusterExecutorOptions,
  ): Effect.Effect<ClusterExecutor, ClusterUnavailableError, Scope.Scope> =>
    Effect.suspend(() => make(options)),
}
