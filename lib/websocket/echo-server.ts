/**
 * The websocket echo server: `serveEcho()`, scoped, on whichever runtime runs
 * the program. Internal: `effect-asyncio/websocket` re-exports it.
 *
 * @module
 */
import { Effect, type Scope } from "effect"
import { runtime } from "../internal/runtime.ts"
import { listenBun } from "./bun-server.ts"
import { listenDeno } from "./deno-server.ts"
import { describe, WebSocketServeError } from "./errors.ts"
import { Connections } from "./connections.ts"

/** Options for {@link serveEcho}. */
export interface ServeEchoOptions {
  /** The address to listen on; 127.0.0.1 (loopback only) by default. */
  readonly hostname?: string
  /** The port; 0 (the default) lets the system pick a free one. */
  readonly port?: number
  /**
   * Serve TLS (`wss://`) with this certificate chain and private key, both
   * PEM text. A client that does not trust the certificate's issuer already
   * is given it with `connect(url, { ca })`.
   */
  readonly tls?: { readonly cert: string; readonly key: string }
}

/** A running echo server, from {@link serveEcho}. */
export interface EchoServer {
  /** `ws://host:port/` (`wss://` with `tls`), with the port the server actually listens on. */
  readonly url: string
  readonly hostname: string
  readonly port: number
  /** How many websocket connections are open right now. */
  readonly connections: Effect.Effect<number>
  /** Closes every open connection with `code` and `reason`: the server hangs up. */
  readonly closeAll: (code?: number, reason?: string) => Effect.Effect<void>
}

/**
 * Starts a websocket echo server in the current `Scope`: every message a
 * client sends comes back to it, text as text and binary as binary. Port 0
 * (the default) picks a free port; `url` says which. Loopback only unless
 * `hostname` says otherwise. With `tls` it serves `wss://` (see
 * {@link ServeEchoOptions.tls}).
 *
 * When the scope ends, the open connections are closed (code 1001, "going
 * away", reason "server shutting down") and given up to a second to finish
 * the closing handshake; then the server stops, and if it has not stopped
 * within a second it is unref'd so that it cannot keep the process alive.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { serveEcho } from "effect-asyncio/websocket"
 * import assert from "node:assert/strict"
 *
 * const url = await Effect.runPromise(Effect.scoped(Effect.map(serveEcho(), (s) => s.url)))
 * assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/$/)
 * ```
 */
export const serveEcho = (
  options: ServeEchoOptions = {},
): Effect.Effect<EchoServer, WebSocketServeError, Scope.Scope> => {
  const hostname = options.hostname ?? "127.0.0.1"
  const port = options.port ?? 0
  const connections = new Connections()
  const closeAll = (code = 1000, reason = "") =>
    Effect.sync(() => connections.closeAll(code, reason))
  return Effect.acquireRelease(
    Effect.try({
      try: () =>
        runtime.name === "deno"
          ? listenDeno(hostname, port, connections, options.tls)
          : listenBun(hostname, port, connections, options.tls),
      catch: (cause) =>
        new WebSocketServeError({
          hostname,
          port,
          cause,
          message: `cannot serve on ${hostname}:${port}: ${describe(cause)}`,
        }),
    }),
    (server) =>
      Effect.gen(function* () {
        // Two phases: close every connection with 1001 and wait (bounded) for
        // the clients to answer, so they see this code and reason (Deno's
        // shutdown() would otherwise send its own); then stop the server,
        // and if it is still not down, unref it so it cannot hold the process.
        connections.closeAll(1001, "server shutting down")
        yield* Effect.timeoutOption(Effect.promise(() => connections.whenEmpty()), "1 second")
        yield* Effect.promise(() => server.stop()).pipe(
          Effect.timeoutOption("1 second"),
          Effect.ensuring(Effect.sync(() => server.unref())),
        )
      }),
  ).pipe(
    Effect.map((server): EchoServer => {
      const host = hostname.includes(":") ? `[${hostname}]` : hostname
      return {
        url: `${options.tls ? "wss" : "ws"}://${host}:${server.port}/`,
        hostname,
        port: server.port,
        connections: Effect.sync(() => connections.size),
        closeAll,
      }
    }),
  )
}
