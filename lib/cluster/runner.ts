/**
 * A cluster runner: a process that joins a task cluster and runs the tasks it
 * receives in its own local `ProcessPoolExecutor`. Start one per machine (or
 * several), all pointing at the same Postgres, each with its TLS directory
 * (made by certs.ts):
 *
 * ```sh
 * export EFFECT_ASYNCIO_CLUSTER_DATABASE_URL=postgres://…   # not on the command line
 * deno run --allow-read --allow-write --allow-net --allow-env --allow-sys \
 *   --allow-run="$(command -v deno)" lib/cluster/runner.ts --tls-dir /etc/cluster-tls \
 *   --host 10.0.0.2 --port 34431 --allow-module /srv/app --pool-size 4
 * bun lib/cluster/runner.ts --tls-dir /etc/cluster-tls --host 10.0.0.2 --port 34431 …
 * ```
 *
 * Flags: `--tls-dir` (or `EFFECT_ASYNCIO_CLUSTER_TLS_DIR`: `ca.crt`,
 * `cert.pem`, `key.pem` and, unless `--secret-file` or
 * `EFFECT_ASYNCIO_CLUSTER_SECRET` says otherwise, `secret`), the database URL
 * from `EFFECT_ASYNCIO_CLUSTER_DATABASE_URL` (`--database-url` only for a URL
 * without a password: the command line is public), `--allow-module`
 * (repeatable: a directory, `file:` URL, package name or specifier prefix
 * whose tasks it runs; default: the project around its working directory),
 * `--pool-size` (worker processes, default: the CPU count), `--port` (default
 * 34431), `--host` (the address other members use, default 127.0.0.1; give
 * the machine's reachable address on a real cluster, one its certificate
 * names), `--die-with-parent` (exit when stdin closes: how local runners
 * follow the process that started them). A runner whose `--host` is not
 * loopback listens on every interface.
 *
 * Every connection must show a certificate from the cluster's CA (mutual
 * TLS), every message must be signed with the secret, and every task's
 * module must be in the allow-list: what fails is refused with a typed
 * `TaskRefusedError`, never imported. The secret and the URL are removed
 * from the environment before any worker starts. Its Deno workers get no
 * more permissions than it has: give it `--allow-run` for Deno alone (not
 * `-A`) and no task can start a process.
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
import {
  type AnyWorkerFunction,
  type ExecutorError,
  ProcessPoolExecutor,
  TaskRefusedError,
  workerFunction,
} from "../executor.ts"
import { allowList, projectRoot } from "./allow.ts"
import { sharding, sqlLayer } from "./config.ts"
import { type ClusterCredentials, ENV, readCredentials, removeLocal } from "./credentials.ts"
import { errorFields, fromJson, signedFields, TaskEntity, toJson } from "./entity.ts"
import { makeVerifier } from "./signing.ts"
import { clusterLayer } from "./transport.ts"

/** A runner's settings (the command-line flags). */
export interface RunnerOptions {
  readonly databaseUrl: string
  readonly poolSize?: number | undefined
  readonly port: number
  readonly host?: string | undefined
  /** How long to wait for Postgres before giving up (ms, default 10 000). */
  readonly connectTimeoutMs?: number | undefined
  /**
   * Its certificate, the CA's, and the cluster's secret; or, for the bench's
   * baseline only, `"insecure-loopback"`: plain TCP and unsigned messages, on
   * 127.0.0.1 alone.
   */
  readonly credentials: ClusterCredentials | "insecure-loopback"
  /**
   * Whose tasks it runs (see allow.ts); default: the project around its
   * working directory.
   */
  readonly allowModules?: ReadonlyArray<string> | undefined
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"])

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
  const allowed = allowList(options.allowModules ?? [projectRoot(process.cwd())])
  const insecure = options.credentials === "insecure-loopback"
  if (insecure && !LOOPBACK.has(options.host ?? "127.0.0.1")) {
    throw new RangeError("an insecure runner listens on loopback only")
  }
  const verify = options.credentials === "insecure-loopback"
    ? () => undefined
    : makeVerifier(options.credentials.secret)
  const where = `${options.host ?? "127.0.0.1"}:${options.port}`
  /** Why a message is refused (not signed with the secret, stale, replayed), or undefined. */
  const forged = (kind: keyof typeof signedFields, payload: { readonly auth: string }) =>
    verify(
      kind,
      (signedFields[kind] as (p: unknown) => ReadonlyArray<string>)(payload),
      payload.auth,
    )
  const refusedMessage = (why: string) =>
    errorFields(
      new TaskRefusedError({
        task: "message",
        reason: "signature",
        message: `runner ${where} refused the message: ${why}`,
      }),
    )
  const refusedModule = (module: string, exportName: string, why: string) =>
    new TaskRefusedError({
      task: `${module}#${exportName}`,
      reason: "module",
      specifier: module,
      message: `runner ${where} refused the task: ${why}`,
    })
  const refs = new Map<string, AnyWorkerFunction>()
  // The local pool needs only the module and export name: the function stays in the worker.
  const ref = (module: string, exportName: string): AnyWorkerFunction => {
    const key = `${module}#${exportName}`
    let t = refs.get(key)
    if (t === undefined) refs.set(key, t = workerFunction(module, exportName, notHere))
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
        const why = allowed(module)
        if (why !== undefined) {
          return [key, false, toJson(errorFields(refusedModule(module, exportName, why)))] as const
        }
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
            const why = forged("RunMany", payload)
            if (why !== undefined) {
              return Effect.succeed(JSON.stringify({ error: refusedMessage(why) }))
            }
            const calls = JSON.parse(payload.calls) as Array<[string, string, string, unknown]>
            return Effect.forEach(calls, runOne, { concurrency: "unbounded" }).pipe(
              Effect.map((outcomes) => JSON.stringify(outcomes)),
            )
          }).pipe(
            Effect.catchDefect((defect) =>
              Effect.succeed(JSON.stringify({ error: runnerFailure(defect) }))
            ),
          ),
        Cancel: ({ payload }) =>
          Effect.sync(() => {
            if (forged("Cancel", payload) !== undefined) return
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
            const why = forged("RunBatch", payload)
            if (why !== undefined) {
              return Effect.fail(
                new TaskRefusedError({
                  task: `${payload.module}#${payload.exportName}`,
                  reason: "signature",
                  message: `runner ${where} refused the message: ${why}`,
                }),
              )
            }
            const refused = allowed(payload.module)
            if (refused !== undefined) {
              return Effect.fail(refusedModule(payload.module, payload.exportName, refused))
            }
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
  const listen = LOOPBACK.has(host) ? host : "0.0.0.0"
  return entity.pipe(
    Layer.provide(clusterLayer({
      clientOnly: false,
      tls: options.credentials,
      shardingConfig: {
        ...sharding,
        runnerAddress: Option.some(address),
        runnerListenAddress: Option.some(RunnerAddress.make(listen, options.port)),
      },
    })),
    Layer.provide(sqlLayer(options.databaseUrl, options.connectTimeoutMs ?? 10_000)),
  )
}

const usage =
  `usage: runner.ts --tls-dir DIR [--secret-file FILE] [--allow-module M]… [--pool-size N]
                 [--port P] [--host H] [--die-with-parent]
  the database URL comes from $${ENV.databaseUrl} (or --database-url, without a password)`

const main = () => {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      "database-url": { type: "string" },
      "tls-dir": { type: "string" },
      "secret-file": { type: "string" },
      "allow-module": { type: "string", multiple: true },
      "pool-size": { type: "string" },
      port: { type: "string", default: "34431" },
      host: { type: "string", default: "127.0.0.1" },
      "die-with-parent": { type: "boolean", default: false },
      // The bench's baseline: plain TCP, unsigned, loopback only. Never for real work.
      "insecure-loopback": { type: "boolean", default: false },
    },
  })
  const fail = (message: string) => {
    console.error(`runner: ${message}\n${usage}`)
    process.exit(2)
  }
  const fromFlag = values["database-url"]
  if (fromFlag !== undefined && /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(fromFlag)) {
    fail(
      `the database URL holds a password, which ps shows to every user: put it in $${ENV.databaseUrl}`,
    )
  }
  const url = fromFlag ?? process.env[ENV.databaseUrl]
  const tlsDir = values["tls-dir"] ?? process.env[ENV.tlsDir]
  if (url === undefined) return fail("no database URL")
  const insecure = values["insecure-loopback"]
  if (tlsDir === undefined && !insecure) return fail("no TLS directory")
  const secret = process.env[ENV.secret]
  // The workers this runner starts inherit its environment: the secrets stop here.
  for (const name of [ENV.databaseUrl, ENV.secret]) delete process.env[name]
  const parent = process.ppid
  const poolSize = values["pool-size"] === undefined ? undefined : Number(values["pool-size"])
  const port = Number(values.port)
  const fiber = Effect.runFork(
    Effect.scoped(Effect.gen(function* () {
      const credentials = insecure ? "insecure-loopback" as const : yield* readCredentials({
        tlsDir: tlsDir!,
        secret,
        secretFile: values["secret-file"],
      })
      yield* Layer.build(runnerLayer({
        databaseUrl: url,
        poolSize,
        port,
        host: values.host,
        credentials,
        allowModules: values["allow-module"],
      }))
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
    // The parent is gone (or closed the pipe): its throwaway TLS directory goes too.
    const follow = () => {
      if (tlsDir !== undefined) removeLocal(tlsDir, parent)
      stop()
    }
    process.stdin.on("end", follow)
    process.stdin.on("close", follow)
    process.stdin.resume()
  }
}

if (import.meta.main) main()
