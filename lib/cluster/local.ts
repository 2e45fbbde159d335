/**
 * The single-machine default of a cluster executor: throwaway credentials,
 * an embedded Postgres and local runner processes, all for one scope.
 * Internal to `effect-asyncio/cluster`.
 *
 * Secrets stay off command lines: a runner gets the path of the private TLS
 * directory (which holds the secret) as a flag and the database URL (which
 * holds the password) in its environment. A Deno runner gets the
 * permissions it needs and no more (not `-A`): it may start only Deno (its
 * workers), and its workers get no more than it has, so no task can start a
 * process. Each runner runs only the tasks under `allowModules` (default:
 * this program's project).
 *
 * @module
 */
import { realpathSync } from "node:fs"
import process from "node:process"
import { Effect, type Scope } from "effect"
import { projectRoot } from "./allow.ts"
import {
  type ClusterStartError,
  currentRuntime,
  freePort,
  type Runtime,
  runtimeCommand,
  startChild,
} from "./child.ts"
import {
  type ClusterCredentials,
  type ClusterCredentialsError,
  ENV,
  localCredentials,
} from "./credentials.ts"
import { embeddedPostgres } from "./postgres.ts"

/** What a local cluster is made of. */
export interface LocalOptions {
  /** A count (of this program's runtime) or one runtime per runner (default 2). */
  readonly runners?: number | ReadonlyArray<Runtime> | undefined
  /** Worker processes per runner (default 1). */
  readonly poolSize: number
  /** Whose tasks the runners run (default: this program's project root). */
  readonly allowModules?: ReadonlyArray<string> | undefined
  readonly connectTimeoutMs: number
  /** The bench's baseline only: runners on plain TCP that check no signature. */
  readonly insecureLoopback?: boolean | undefined
}

/** A started local cluster. */
export interface Local {
  readonly url: string
  readonly runnerPids: ReadonlyArray<number>
  readonly tlsDir: string
  readonly credentials: ClusterCredentials
}

/** A positive integer option, or a RangeError naming it. */
export const positive = (name: string, value: number | undefined, fallback: number): number => {
  const n = value ?? fallback
  if (!(Number.isInteger(n) && n > 0)) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`)
  }
  return n
}

const runtimesOf = (runners: LocalOptions["runners"]): ReadonlyArray<Runtime> => {
  if (Array.isArray(runners)) return runners as ReadonlyArray<Runtime>
  const n = positive("runners", runners as number | undefined, 2)
  return Array.from({ length: n }, () => currentRuntime)
}

/** A Deno runner's permissions: what it needs, and the right to start Deno workers only. */
const denoFlags = () => [
  "--no-prompt",
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-sys",
  `--allow-run=${[...new Set([runtimeCommand("deno"), real(runtimeCommand("deno"))])]}`,
]

const real = (path: string) => {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** Starts the single-machine default: credentials, an embedded Postgres, local runners. */
export const startLocal = (
  options: LocalOptions,
): Effect.Effect<Local, ClusterStartError | ClusterCredentialsError, Scope.Scope> =>
  Effect.gen(function* () {
    const runtimes = runtimesOf(options.runners)
    const allow = options.allowModules ?? [projectRoot()]
    const { dir, credentials } = yield* localCredentials
    const url = yield* embeddedPostgres({ readyTimeoutMs: options.connectTimeoutMs + 60_000 })
    const runners = yield* Effect.forEach(
      runtimes,
      (runtime) =>
        Effect.flatMap(freePort, (port) =>
          startChild({
            runtime,
            module: "runner",
            args: [
              "--tls-dir",
              dir,
              "--pool-size",
              String(options.poolSize),
              "--port",
              String(port),
              ...allow.flatMap((m) => ["--allow-module", m]),
              "--die-with-parent",
              ...(options.insecureLoopback ? ["--insecure-loopback"] : []),
            ],
            denoFlags: denoFlags(),
            env: { ...process.env, [ENV.databaseUrl]: url },
            readyTimeoutMs: options.connectTimeoutMs + 30_000,
            closeTimeoutMs: 6_000,
          })),
      { concurrency: "unbounded" },
    )
    return { url, runnerPids: runners.map((r) => r.pid), tlsDir: dir, credentials }
  })
