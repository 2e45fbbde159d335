/**
 * The client side of a cluster executor: `submit`, `map`, `shutdown` and
 * `stats` over Effect Cluster's entity client, and the batching that makes
 * a cluster cost per message rather than per task. Internal to
 * `effect-asyncio/cluster`.
 *
 * The `submit`s of one tick go out together, a few messages spread over the
 * runners; a `map` goes as slices of up to 512 calls. Every message is
 * signed with the cluster's secret (signing.ts), each attempt anew.
 *
 * @module
 */
import { Effect } from "effect"
import type {
  AnyWorkerFunction,
  Executor,
  ExecutorError,
  ExecutorStats,
  Iterables,
  ShutdownOptions,
  WorkerFunction,
} from "../executor.ts"
import { refusal } from "../executor/to-error.ts"
import { zip } from "../executor/zip.ts"
import {
  badArgument,
  batchSize,
  clusterFailure,
  ENTITY_IDS,
  MAP_CONCURRENCY,
  notAWorkerFunction,
  resend,
} from "./delivery.ts"
import { fromJson, type TaskEntity, toError, toJson } from "./entity.ts"
import { makeSigner } from "./signing.ts"

/** An {@link Executor} over a cluster, plus what it started locally. */
export interface ClusterExecutor extends Executor {
  /** Pids of the local runner processes this executor started (empty when it joined a cluster). */
  readonly runnerPids: ReadonlyArray<number>
  /**
   * The cluster's Postgres URL (it may hold the password): with the TLS
   * directory, what another member needs to join.
   */
  readonly databaseUrl: string
  /**
   * The local default's throwaway TLS directory (certificates and the
   * secret, 0700, removed at scope close), for another member of this
   * machine to join with; undefined when this executor joined a cluster.
   */
  readonly tlsDir: string | undefined
}

type Client = Effect.Success<typeof TaskEntity.client>

// deno-lint-ignore no-explicit-any
type Resume = (effect: Effect.Effect<any, ExecutorError>) => void

/** One `submit`: waiting to be sent, sent, or settled. */
interface Call {
  readonly key: string
  readonly task: AnyWorkerFunction
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

/**
 * The executor over a connected cluster client: `submit`s of one tick go
 * out as a few signed messages, a `map` as signed slices.
 */
export const makeExecutor = (
  client: Client,
  /** The cluster's secret; undefined (the bench's insecure baseline only): unsigned. */
  secret: string | undefined,
  local: { readonly runnerPids: ReadonlyArray<number>; readonly tlsDir: string | undefined },
  databaseUrl: string,
): ClusterExecutor => {
  const { runnerPids, tlsDir } = local
  const sign = secret === undefined ? () => "" : makeSigner(secret)
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
    const text = `[${calls.map((c) => c.json).join(",")}]`
    Effect.runFork(
      resend(() => client(id).RunMany({ calls: text, auth: sign("RunMany", [text]) })).pipe(
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
    const size = batchSize(calls.length)
    for (let i = 0; i < calls.length; i += size) send(calls.slice(i, i + size))
  }
  const cancel = (call: Call) => {
    if (call.done) return
    call.done = true
    finished(1)
    // Sent: the runner stops it (terminating its worker); not sent: it never leaves.
    if (call.entityId !== undefined) {
      const keys = [call.key]
      Effect.runFork(
        Effect.ignore(client(call.entityId).Cancel({ keys, auth: sign("Cancel", keys) })),
      )
    }
  }

  const submit = <Args extends ReadonlyArray<unknown>, R>(
    t: WorkerFunction<Args, R>,
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
        return resume(Effect.fail(badArgument(t, args) ?? notAWorkerFunction(t)))
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
    t: WorkerFunction<Args, R>,
    ...iterables: Iterables<Args>
  ): Effect.Effect<Array<Awaited<R>>, ExecutorError> =>
    Effect.suspend(() => {
      const refusal = refused(t)
      if (refusal !== undefined) return Effect.fail(refusal)
      const calls = zip(iterables)
      if (calls.length === 0) return Effect.succeed([])
      // Enough messages to keep every runner busy, each as full as that allows.
      const size = batchSize(calls.length)
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
          return Effect.fail(notAWorkerFunction(t))
        }
      }
      started(calls.length)
      return Effect.forEach(
        chunks,
        (json) =>
          Effect.suspend(() => {
            const id = entityId()
            const { module, exportName } = t
            return resend(() =>
              client(id).RunBatch({
                module,
                exportName,
                calls: json,
                auth: sign("RunBatch", [module, exportName, json]),
              })
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
    tlsDir,
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
