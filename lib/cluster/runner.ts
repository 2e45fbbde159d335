/**
 * A cluster runner: a process that joins a task cluster and runs the tasks it
 * receives in its own local `ProcessPoolExecutor`. Start one per machine (or
 * several), all pointing at the same Postgres:
 *
 * ```sh
 * export EFFECT_ASYNCIO_DATABASE_URL=postgres://…
 * deno run -A lib/cluster/runner.ts --pool-size 4 --port 34431
 * bun lib/cluster/runner.ts --pool-size 4 --port 34431
 * ```
 *
 * The Postgres URL comes from the `EFFECT_ASYNCIO_DATABASE_URL` environment
 * variable (a URL with a password on the command line is visible to every
 * user of the machine through `ps`), or from `--database-url` when it holds no
 * secret. Flags: `--pool-size` (worker processes,
 * default: the CPU count), `--port` (where other members reach this runner,
 * default 34431), `--host` (the address other members use, default
 * 127.0.0.1; give the machine's reachable address on a real cluster),
 * `--die-with-parent` (exit when stdin closes: how local runners follow the
 * process that started them). A runner whose `--host` is not loopback
 * listens on every interface.
 *
 * It prints `ready <host>:<port>` once it has joined. SIGTERM or SIGINT leave
 * the cluster cleanly (shards released, pool shut down), within 5 s.
 *
 * @module
 */
import process from "node:process"
import { parseArgs } from "node:util"
import { Deferred, Effect, Exit, Fiber, Layer, Option } from "effect"
import { RunnerAddress } from "effect/cluster"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import { type AnyTask, type ExecutorError, ProcessPoolExecutor, task } from "../executor.ts"
import { DATABASE_URL_ENV, sharding, sqlLayer } from "./config.ts"
import { errorFields, fromJson, TaskEntity, toJson } from "./entity.ts"

/** A runner's settings (the command-line flags). */
export interface RunnerOptions {
  readonly databaseUrl: string
  readonly poolSize?: number | undefined
  readonly port: number
  readonly host?: string | undefined
  /** How long to wait for Postgres before giving up (ms, default 10 000). */
  readonly connectTimeoutMs?: number | undefined
}

/** A failure of the runner itself (a message it cannot decode), as error fields. */
const runnerFailure = (defect: unknown) => ({
  _tag: "NotCloneableError",
  task: "message",
  argument: "result",
  message: `the runner could not handle the message: ${String(defect)}`,
})

/**
 * Runs `run` and encodes its outcome as `[ok, value or error fields]`; every
 * failure (the task's, or a message this runner cannot decode) becomes a
 * reply, never a defect, which the cluster would retry forever.
 */
const outcome = (
  run: () => Effect.Effect<unknown, ExecutorError>,
): Effect.Effect<readonly [boolean, unknown]> =>
  Effect.suspend(run).pipe(
    Effect.map((value) => [true, toJson(value)] as const),
    Effect.catch((error) => Effect.succeed([false, toJson(errorFields(error))] as const)),
    Effect.catchDefect((defect) => Effect.succeed([false, runnerFailure(defect)] as const)),
  )

const notHere = () => {
  throw new Error("a cluster task runs in the runner's worker processes, not in the runner")
}

/** The runner as a Layer: its pool, its entity, its membership of the cluster. */
export const runnerLayer = (options: RunnerOptions) => {
  const refs = new Map<string, AnyTask>()
  // The local pool needs only the module and export name: the function stays in the worker.
  const ref = (module: string, exportName: string): AnyTask => {
    const key = `${module}#${exportName}`
    let t = refs.get(key)
    if (t === undefined) refs.set(key, t = task(module, exportName, notHere))
    return t
  }
  const entity = Layer.unwrap(Effect.gen(function* () {
    const pool = yield* ProcessPoolExecutor.make({ maxWorkers: options.poolSize })
    // Calls of RunMany messages in progress, by key, to cancel one of them alone.
    const cancels = new Map<string, Deferred.Deferred<void>>()
    // Cancels that arrived before their call (kept briefly; bounded).
    const early = new Set<string>()
    const cancelled = [false, { _tag: "Interrupted", message: "cancelled" }] as const
    const runOne = ([key, module, exportName, args]: [string, string, string, unknown]) =>
      Effect.gen(function* () {
        if (early.delete(key)) return [key, ...cancelled] as const
        const stop = Deferred.makeUnsafe<void>()
        cancels.set(key, stop)
        const result = yield* Effect.raceFirst(
          outcome(() =>
            pool.submit(ref(module, exportName), ...(fromJson(args) as Array<unknown>))
          ),
          Effect.as(Deferred.await(stop), cancelled),
        ).pipe(Effect.ensuring(Effect.sync(() => cancels.delete(key))))
        return [key, ...result] as const
      })
    return TaskEntity.toLayer(
      TaskEntity.of({
        RunMany: ({ payload }) =>
          Effect.suspend(() => {
            const calls = JSON.parse(payload.calls) as Array<[string, string, string, unknown]>
            return Effect.forEach(calls, runOne, { concurrency: "unbounded" })
          }).pipe(
            Effect.map((outcomes) => JSON.stringify(outcomes)),
            Effect.catchDefect((defect) =>
              Effect.succeed(JSON.stringify({ error: runnerFailure(defect) }))
            ),
          ),
        Cancel: ({ payload }) =>
          Effect.sync(() => {
            for (const key of payload.keys) {
              const stop = cancels.get(key)
              if (stop !== undefined) Deferred.doneUnsafe(stop, Exit.void)
              else {
                if (early.size > 10_000) early.clear()
                early.add(key)
              }
            }
          }),
        RunBatch: ({ payload }) =>
          outcome(() => {
            const calls = fromJson(JSON.parse(payload.calls)) as Array<Array<unknown>>
            // pool.map takes one iterable per parameter.
            const arity = calls.reduce((n, args) => Math.max(n, args.length), 0)
            const columns = Array.from({ length: arity }, (_, i) => calls.map((args) => args[i]))
            return pool.map(ref(payload.module, payload.exportName), ...columns)
          }).pipe(Effect.map((result) => JSON.stringify(result))),
      }),
      { concurrency: "unbounded" },
    )
  }))
  const host = options.host ?? "127.0.0.1"
  const address = RunnerAddress.make(host, options.port)
  // A loopback runner (the local default) is reachable from this machine only.
  const listen = host === "127.0.0.1" || host === "localhost" ? host : "0.0.0.0"
  return entity.pipe(
    Layer.provide(NodeClusterSocket.layer({
      storage: "sql",
      shardingConfig: {
        ...sharding,
        runnerAddress: Option.some(address),
        runnerListenAddress: Option.some(RunnerAddress.make(listen, options.port)),
      },
    })),
    Layer.provide(sqlLayer(options.databaseUrl, options.connectTimeoutMs ?? 10_000)),
  )
}

const main = () => {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      "database-url": { type: "string" },
      "pool-size": { type: "string" },
      port: { type: "string", default: "34431" },
      host: { type: "string", default: "127.0.0.1" },
      "die-with-parent": { type: "boolean", default: false },
    },
  })
  const url = values["database-url"] ?? process.env[DATABASE_URL_ENV]
  if (url === undefined) {
    console.error(
      `usage: ${DATABASE_URL_ENV}=URL runner.ts [--pool-size N] [--port P] [--host H] (or --database-url URL)`,
    )
    process.exit(2)
  }
  const poolSize = values["pool-size"] === undefined ? undefined : Number(values["pool-size"])
  const port = Number(values.port)
  const fiber = Effect.runFork(
    Effect.scoped(Effect.gen(function* () {
      yield* Layer.build(runnerLayer({ databaseUrl: url, poolSize, port, host: values.host }))
      process.stdout.write(`ready ${values.host}:${port}\n`)
      return yield* Effect.never
    })),
  )
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    // Two phases: leave the cluster cleanly, or exit anyway after 5 s.
    setTimeout(() => process.exit(1), 5_000).unref?.()
    Effect.runFork(Fiber.interrupt(fiber))
  }
  fiber.addObserver((exit) => {
    if (exit._tag === "Failure" && !stopping) {
      console.error(`runner failed: ${String(exit.cause)}`)
      process.exit(1)
    }
    process.exit(0)
  })
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)
  if (values["die-with-parent"]) {
    process.stdin.on("end", stop)
    process.stdin.on("close", stop)
    process.stdin.resume()
  }
}

if (import.meta.main) main()
