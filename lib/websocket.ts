/**
 * A websocket client as an Effect resource, and an echo server to talk to.
 *
 * The client is in `websocket/client.ts`, the echo server in
 * `websocket/echo-server.ts` (with one adapter per runtime beside it), the
 * typed errors in `websocket/errors.ts`; this module is their public face.
 *
 * `connect(url)` opens the runtime's standard `WebSocket` (a global on Deno
 * and Bun) inside the caller's `Scope`: the socket is closed when the scope
 * ends, whatever way it ends. Messages that arrive between two `receive`s are
 * buffered and come out in arrival order; none is dropped. Every way it can go
 * wrong is a typed error: {@link WebSocketUrlError}, {@link WebSocketConnectError},
 * {@link WebSocketTimeoutError}, {@link WebSocketClosedError}.
 *
 * `serveEcho()` starts a scoped echo server on 127.0.0.1 (Deno: `Deno.serve`
 * + `Deno.upgradeWebSocket`; Bun: `Bun.serve` with websocket handlers), so a
 * program, a test or a bench has a peer without the internet.
 *
 * TLS: `serveEcho({ tls: { cert, key } })` serves `wss://`, and
 * `connect(url, { ca })` trusts the given certificate authorities (PEM)
 * instead of the runtime's roots; an untrusted certificate fails `connect`
 * with a {@link WebSocketConnectError} that says so.
 *
 * Built on Effect's `effect/socket` (`Socket.fromWebSocket`), which gives the
 * open handshake with its timeout, the event listeners, the incoming buffer
 * (with `pause`/`resume` backpressure where the socket has it: Bun's client
 * does, Deno's does not, so there the buffer is unbounded), binary frames as
 * `Uint8Array`, and a pending read that fails when the socket closes or its
 * scope ends. This module adds what a client of the playbook's shape needs on
 * top: URL and scheme checks, one-message-at-a-time `receive` over the
 * socket's batches (safe to call from several fibers), a `send` that goes
 * straight to `WebSocket.send` after a state check and fails with the close
 * code once the socket is closed (the socket's writer adds nothing here, as a
 * `WebSocket` has no write backpressure, and it waits for a reconnection
 * forever once the reader's scope is gone), `close(code, reason)` that waits
 * (bounded) for the closing handshake, the close code and reason kept for
 * every later call, and errors that carry the URL.
 *
 * Throughput: a `receive` that has to wait costs one fiber suspension, which
 * is what separates an Effect client from raw `WebSocket` event handlers in a
 * strict request/reply loop; bench/websocket-echo.bench.ts compares it with a
 * bare `effect/socket` loop, a hand-written `Effect.callback` one and raw
 * handlers (figures in bench/results/REPORT.md).
 *
 * @example Echo a message through the embedded server
 * ```ts
 * import { Effect } from "effect"
 * import { connect, serveEcho } from "effect-asyncio/websocket"
 * import assert from "node:assert/strict"
 *
 * const reply = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   const server = yield* serveEcho()
 *   const ws = yield* connect(server.url)
 *   yield* ws.send("Hello World!")
 *   return yield* ws.receive
 * })))
 * assert.equal(reply, "Hello World!")
 * ```
 *
 * @module
 */

export {
  connect,
  type ConnectOptions,
  type Message,
  parseUrl,
  type WebSocketClient,
} from "./websocket/client.ts"
export { type EchoServer, serveEcho, type ServeEchoOptions } from "./websocket/echo-server.ts"
export {
  WebSocketClosedError,
  WebSocketConnectError,
  WebSocketServeError,
  WebSocketTimeoutError,
  WebSocketUrlError,
} from "./websocket/errors.ts"
