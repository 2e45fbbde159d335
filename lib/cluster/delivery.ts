/**
 * The delivery policy of a cluster executor: how calls are grouped into
 * messages, when a dropped message is sent again, and what a message the
 * cluster could not deliver means to the caller. Internal to
 * `effect-asyncio/cluster`.
 *
 * Delivery is at least once: a message is sent again when the cluster drops
 * it because its shard is moving to another runner (its runner died, or
 * stopped answering health checks), so a task may run twice.
 *
 * @module
 */
import { Cause, Effect } from "effect"
import { type AnyWorkerFunction, ClusterDeliveryError, NotCloneableError } from "../executor.ts"
import { notAWorkerFunction as closure } from "../executor/to-error.ts"
import { workerFunctionName } from "../executor/worker-function.ts"
import { toJson } from "./entity.ts"

/** Entity ids a client spreads its messages over (each hashes to a shard, hence a runner). */
export const ENTITY_IDS = 64
/** The most calls of a `map` in one message. */
export const MAX_BATCH = 512
/** Messages of one `map` in flight at once. */
export const MAP_CONCURRENCY = 16
/** How often a dropped message is sent again before its tasks fail. */
export const MAX_RESENDS = 20
/** The pause before sending a dropped message again (ms). */
export const RESEND_DELAY_MS = 250
/** A burst of calls goes out as about this many messages, to spread it over the runners. */
export const SPREAD = 8

/** How many calls go in one message when `n` go out at once. */
export const batchSize = (n: number): number =>
  Math.min(MAX_BATCH, Math.max(1, Math.ceil(n / SPREAD)))

/** What a message the cluster could not deliver means to the caller of one of its tasks. */
export const clusterFailure = (
  t: AnyWorkerFunction,
  cause: Cause.Cause<{ readonly _tag: string }>,
): ClusterDeliveryError => {
  const error = Cause.findErrorOption(cause)
  const clusterError = error._tag === "Some"
    ? error.value._tag
    : Cause.hasInterruptsOnly(cause)
    ? "Interrupted"
    : "Defect"
  return new ClusterDeliveryError({
    task: workerFunctionName(t),
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
 * have run, in part, before. `send` signs each attempt anew.
 */
export const resend = <A, E extends { readonly _tag: string }>(
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

/** The failure of something given as a task that is not one. */
export const notAWorkerFunction = (t: unknown) => closure(t, "a runner")

/** Names the argument of `args` that cannot travel (undefined when they all can). */
export const badArgument = (
  t: AnyWorkerFunction,
  args: ReadonlyArray<unknown>,
): NotCloneableError | undefined => {
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
