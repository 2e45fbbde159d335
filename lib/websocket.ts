/**
 * A websocket client as an Effect resource, and an echo server to talk to.
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
 * strict request/reply loop (see bench/websocket-echo.bench.ts: this client is
 * within a few % of a bare `effect/socket` loop and of a hand-written
 * `Effect.callback` one; all three trail raw handlers by 10–25%).
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
import { Cause, Data, Deferred, Duration, Effect, Exit, Scope, Stream } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import { Socket } from "effect/socket"
import { runtime } from "./runtime.ts"

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** The URL does not parse, or its scheme is not `ws:` or `wss:`. Nothing was opened. */
export class WebSocketUrlError extends Data.TaggedError("WebSocketUrlError")<{
  readonly url: string
  readonly message: string
}> {}

/** The connection could not be opened (refused, DNS, TLS, handshake rejected). */
export class WebSocketConnectError extends Data.TaggedError("WebSocketConnectError")<{
  readonly url: string
  readonly message: string
  readonly cause: unknown
}> {}

/** The connection did not open within the connect timeout. */
export class WebSocketTimeoutError extends Data.TaggedError("WebSocketTimeoutError")<{
  readonly url: string
  readonly timeout: Duration.Duration
  readonly message: string
}> {}

/**
 * The connection is closed: by the peer (its close code and reason), by
 * {@link WebSocketClient.close}, or lost (code 1006, "abnormal closure", as the
 * WebSocket standard reports a connection that ended without a close frame).
 * A `receive` waiting when it closes fails with this error; messages that
 * arrived before the close are still delivered first.
 */
export class WebSocketClosedError extends Data.TaggedError("WebSocketClosedError")<{
  readonly url: string
  readonly code: number
  readonly reason: string
  readonly message: string
}> {}

/** The echo server could not start (the port is taken, the address is not local…). */
export class WebSocketServeError extends Data.TaggedError("WebSocketServeError")<{
  readonly hostname: string
  readonly port: number
  readonly message: string
  readonly cause: unknown
}> {}

const closedError = (url: string, code: number, reason: string) =>
  new WebSocketClosedError({
    url,
    code,
    reason,
    message: `websocket ${url} closed (code ${code}${reason ? `, reason "${reason}"` : ""})`,
  })

const describe = (cause: unknown): string => {
  if (cause instanceof Error) return cause.message
  const message = (cause as { message?: unknown } | undefined)?.message
  if (typeof message === "string" && message !== "") return message
  const error = (cause as { error?: unknown } | undefined)?.error
  if (error instanceof Error) return error.message
  return String((cause as { type?: unknown } | undefined)?.type ?? cause)
}

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

/** A websocket message: a string for a text frame, bytes for a binary one. */
export type Message = string | Uint8Array

/** Options for {@link connect}. */
export interface ConnectOptions {
  /**
   * Fail with {@link WebSocketTimeoutError} if the socket is not open by then
   * (10 s by default). The socket is then closed at once; note that neither
   * Deno's nor Bun's `WebSocket` drops a TCP connection that is still in its
   * opening handshake when closed, so a peer that accepted it but never
   * answered keeps it until that peer or this process ends (it does not keep
   * the process alive).
   */
  readonly timeout?: Duration.Input
  /** Subprotocols to offer in the opening handshake. */
  readonly protocols?: string | Array<string>
  /**
   * How long `close` and the scope's release wait for the closing handshake
   * before giving up on it (1 s by default).
   */
  readonly closeTimeout?: Duration.Input
}

/** An open websocket connection, from {@link connect}. */
export interface WebSocketClient {
  /** The URL it is connected to. */
  readonly url: string
  /** Sends a text (string) or binary (bytes) message. Fails once the socket is closed. */
  readonly send: (message: Message) => Effect.Effect<void, WebSocketClosedError>
  /**
   * The next message, in arrival order. Waits if none is buffered; fails with
   * {@link WebSocketClosedError} once the buffer is empty and the socket is closed.
   */
  readonly receive: Effect.Effect<Message, WebSocketClosedError>
  /**
   * Every message from now on, as a Stream (it shares the buffer with
   * `receive`). Ends when the socket is closed normally (code 1000); fails with
   * {@link WebSocketClosedError} for any other close.
   */
  readonly messages: Stream.Stream<Message, WebSocketClosedError>
  /**
   * Starts the closing handshake with `code` (1000, or 3000–4999) and `reason`
   * (at most 123 UTF-8 bytes), and waits, bounded by `closeTimeout`, until the
   * socket is closed. An invalid code or reason is a defect, as the standard
   * `close` throws for it.
   */
  readonly close: (code?: number, reason?: string) => Effect.Effect<void>
}

const OPEN = 1
const CLOSED = 3
const NORMAL_CLOSURE = 1000
const ABNORMAL_CLOSURE = 1006

/**
 * Checks that `url` is an absolute `ws:` or `wss:` URL without a fragment (the
 * standard `WebSocket` refuses fragments) and returns it normalized.
 */
export const parseUrl = (url: string): Effect.Effect<string, WebSocketUrlError> =>
  Effect.suspend(() => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return Effect.fail(new WebSocketUrlError({ url, message: `not a URL: "${url}"` }))
    }
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      return Effect.fail(
        new WebSocketUrlError({
          url,
          message:
            `a websocket URL starts with ws:// or wss://, not ${parsed.protocol}//: "${url}"`,
        }),
      )
    }
    if (parsed.hash !== "") {
      return Effect.fail(
        new WebSocketUrlError({ url, message: `a websocket URL has no #fragment: "${url}"` }),
      )
    }
    return Effect.succeed(parsed.href)
  })

const checkClose = (code: number, reason: string): void => {
  if (code !== NORMAL_CLOSURE && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
    throw new Cause.IllegalArgumentError(`close: the code must be 1000 or 3000–4999, got ${code}`)
  }
  if (new TextEncoder().encode(reason).byteLength > 123) {
    throw new Cause.IllegalArgumentError("close: the reason must be at most 123 UTF-8 bytes")
  }
}

/**
 * Opens a websocket to `url` in the current `Scope` and waits until it is
 * open. The scope's end closes it (code 1000) and waits, bounded, for the
 * closing handshake, so nothing is left behind.
 *
 * @example Binary messages come back as bytes
 * ```ts
 * import { Effect } from "effect"
 * import { connect, serveEcho } from "effect-asyncio/websocket"
 * import assert from "node:assert/strict"
 *
 * const bytes = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   const ws = yield* connect((yield* serveEcho()).url, { timeout: "5 seconds" })
 *   yield* ws.send(new Uint8Array([1, 2, 3]))
 *   return yield* ws.receive
 * })))
 * assert.deepEqual(bytes, new Uint8Array([1, 2, 3]))
 * ```
 *
 * @example A closed port fails fast with a typed error
 * ```ts
 * import { Effect } from "effect"
 * import { connect } from "effect-asyncio/websocket"
 * import assert from "node:assert/strict"
 *
 * const error = await Effect.runPromise(Effect.flip(Effect.scoped(connect("ws://127.0.0.1:1"))))
 * assert.equal(error._tag, "WebSocketConnectError")
 * ```
 */
export const connect = (
  url: string,
  options: ConnectOptions = {},
): Effect.Effect<
  WebSocketClient,
  WebSocketUrlError | WebSocketConnectError | WebSocketTimeoutError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const href = yield* parseUrl(url)
    const timeout = Duration.fromInputUnsafe(options.timeout ?? "10 seconds")
    const closeTimeout = options.closeTimeout ?? "1 second"

    let ws: WebSocket | undefined
    // What closed it: the close event's code and reason, or the code we asked for.
    let closeInfo: { code: number; reason: string } | undefined
    let requested: { code: number; reason: string } | undefined
    const closed = Deferred.makeUnsafe<void>()

    const awaitClosed = Effect.suspend(() =>
      ws === undefined || ws.readyState === CLOSED
        ? Effect.void
        : Effect.asVoid(Effect.timeoutOption(Deferred.await(closed), closeTimeout))
    )

    // The raw socket, owned here so that send and close can see its state.
    const acquire = Effect.acquireRelease(
      Effect.try({
        try: () => {
          const socket = new WebSocket(href, options.protocols)
          socket.addEventListener("close", (event) => {
            closeInfo ??= { code: event.code, reason: event.reason }
            Deferred.doneUnsafe(closed, Effect.void)
          }, { once: true })
          ws = socket
          return socket as Socket.WebSocketLike
        },
        catch: (cause) =>
          new Socket.SocketError({
            reason: new Socket.SocketOpenError({ kind: "Unknown", cause }),
          }),
      }),
      () =>
        Effect.suspend(() => {
          try {
            ws?.close(NORMAL_CLOSURE)
          } catch {
            // already closing or closed
          }
          return awaitClosed
        }),
    )

    // The connection lives in a child of the caller's scope, closed at once
    // if opening fails: a timed-out socket is closed and released now, not
    // when the caller's scope ends.
    const scope = yield* Scope.fork(yield* Effect.scope)
    const socket = yield* Socket.fromWebSocket(acquire, { openTimeout: timeout })
    const { pull } = yield* Scope.provide(socket.reader, scope).pipe(
      Effect.onError(() => Scope.close(scope, Exit.void)),
      Effect.mapError((error) => {
        const reason = error.reason
        if (reason._tag === "SocketOpenError" && reason.kind === "Timeout") {
          return new WebSocketTimeoutError({
            url: href,
            timeout,
            message: `websocket ${href} did not open within ${Duration.format(timeout)}`,
          })
        }
        // The reason keeps the runtime's own error (an ErrorEvent) as its cause.
        const cause = "cause" in reason && reason.cause !== undefined ? reason.cause : reason
        return new WebSocketConnectError({
          url: href,
          cause,
          message: `cannot connect to ${href}: ${describe(cause)}`,
        })
      }),
    )
    const writer = yield* Scope.provide(socket.writer, scope)

    const toClosed = (error: Socket.SocketError): WebSocketClosedError => {
      const reason = error.reason
      if (reason._tag === "SocketCloseError") {
        // The reader reports 1006 when its scope ends under a pending read.
        const info = closeInfo ?? requested
        return reason.code === ABNORMAL_CLOSURE && info
          ? closedError(href, info.code, info.reason)
          : closedError(href, reason.code, reason.closeReason ?? "")
      }
      // A transport error after the open: the connection is lost.
      return closedError(
        href,
        ABNORMAL_CLOSURE,
        describe("cause" in reason && reason.cause !== undefined ? reason.cause : reason),
      )
    }
    const closedNow = () => {
      const info = closeInfo ?? requested
      return closedError(href, info?.code ?? ABNORMAL_CLOSURE, info?.reason ?? "")
    }

    // The reader hands out batches (every frame that arrived since the last
    // pull); receive takes them one at a time. The reader keeps one waiter
    // only, so one fiber pulls at a time and any other receiver parks until
    // that pull is done. (A Semaphore did the same at a cost of several % of the
    // round-trip rate; this path is the hot one, see bench/websocket-echo.bench.ts.)
    let batch: NonEmptyReadonlyArray<Message> | undefined
    let next = 0
    let pulling = false
    const parked: Array<(effect: Effect.Effect<void>) => void> = []
    const pullDone = () => {
      pulling = false
      if (parked.length > 0) { for (const wake of parked.splice(0)) wake(Effect.void) }
    }
    const park = Effect.callback<void>((resume) => {
      parked.push(resume)
      return Effect.sync(() => {
        const at = parked.indexOf(resume)
        if (at !== -1) parked.splice(at, 1)
      })
    })
    const pullFailed = (cause: Cause.Cause<Socket.SocketError>) => {
      pullDone()
      const failure = Cause.findError(cause)
      return failure._tag === "Success"
        ? Effect.fail(toClosed(failure.success))
        : Effect.failCause(failure.failure)
    }
    /** Pulls the next batch and keeps it; `take` says what to return from it. */
    const pullBatch = <A>(take: (frames: NonEmptyReadonlyArray<Message>) => A) =>
      Effect.matchCauseEffect(pull, {
        onFailure: pullFailed,
        onSuccess: (frames) => {
          pullDone()
          batch = frames
          next = 0
          return Effect.succeed(take(frames))
        },
      })
    const takeFirst = pullBatch((frames) => frames[next++])
    const takeAll = pullBatch((frames) => {
      next = frames.length
      return frames
    })
    const receive: Effect.Effect<Message, WebSocketClosedError> = Effect.suspend(() => {
      if (batch !== undefined && next < batch.length) return Effect.succeed(batch[next++])
      if (pulling) return Effect.andThen(park, receive)
      pulling = true
      return takeFirst
    })
    const takeRest: Effect.Effect<NonEmptyReadonlyArray<Message>, WebSocketClosedError> = Effect
      .suspend(() => {
        if (batch !== undefined && next < batch.length) {
          const rest = batch.slice(next) as unknown as NonEmptyReadonlyArray<Message>
          next = batch.length
          return Effect.succeed(rest)
        }
        if (pulling) return Effect.andThen(park, takeRest)
        pulling = true
        return takeAll
      })
    const messages: Stream.Stream<Message, WebSocketClosedError> = Stream.fromPull(
      Effect.succeed(
        Effect.catchIf(takeRest, (error) => error.code === NORMAL_CLOSURE, () => Cause.done()),
      ),
    )

    // The socket's writer would only add a layer over `ws.send` (a browser
    // WebSocket has no write backpressure to wait on), and it waits forever
    // for a new connection once this one is gone; sending directly, after a
    // state check, fails with the close code instead.
    const send = (message: Message): Effect.Effect<void, WebSocketClosedError> =>
      Effect.suspend(() => {
        if (ws?.readyState !== OPEN) return Effect.fail(closedNow())
        try {
          ws.send(message as string | Uint8Array<ArrayBuffer>)
          return Effect.void
        } catch (cause) {
          return Effect.fail(closedError(href, ABNORMAL_CLOSURE, describe(cause)))
        }
      })

    const close = (code = NORMAL_CLOSURE, reason = ""): Effect.Effect<void> =>
      Effect.suspend(() => {
        checkClose(code, reason)
        requested ??= { code, reason }
        return Effect.andThen(
          Effect.ignore(writer.write(new Socket.CloseEvent(code, reason))),
          awaitClosed,
        )
      })

    return { url: href, send, receive, messages, close } satisfies WebSocketClient
  })

// ---------------------------------------------------------------------------
// Echo server
// ---------------------------------------------------------------------------

/** Options for {@link serveEcho}. */
export interface ServeEchoOptions {
  /** The address to listen on; 127.0.0.1 (loopback only) by default. */
  readonly hostname?: string
  /** The port; 0 (the default) lets the system pick a free one. */
  readonly port?: number
}

/** A running echo server, from {@link serveEcho}. */
export interface EchoServer {
  /** `ws://host:port/`, with the port the server actually listens on. */
  readonly url: string
  readonly hostname: string
  readonly port: number
  /** How many websocket connections are open right now. */
  readonly connections: Effect.Effect<number>
  /** Closes every open connection with `code` and `reason`: the server hangs up. */
  readonly closeAll: (code?: number, reason?: string) => Effect.Effect<void>
}

/** The part of a server-side socket the echo server uses, the same on both runtimes. */
interface PeerSocket {
  close(code?: number, reason?: string): void
}

interface DenoServer {
  readonly addr: { readonly port: number }
  readonly finished: Promise<void>
  shutdown(): Promise<void>
  unref(): void
}
interface DenoApi {
  serve(
    options: { hostname: string; port: number; onListen: () => void },
    handler: (request: Request) => Response,
  ): DenoServer
  upgradeWebSocket(request: Request): { socket: WebSocket; response: Response }
}

interface BunSocket extends PeerSocket {
  send(message: string | Uint8Array): number
}
interface BunServer {
  readonly port: number
  stop(closeActiveConnections?: boolean): Promise<void> | void
  unref(): void
  upgrade(request: Request): boolean
}
interface BunApi {
  serve(options: {
    hostname: string
    port: number
    fetch: (request: Request, server: BunServer) => Response | undefined
    websocket: {
      open: (ws: BunSocket) => void
      message: (ws: BunSocket, message: string | Uint8Array) => void
      close: (ws: BunSocket) => void
    }
  }): BunServer
}

/** The open connections of a server, and a way to wait until there are none. */
class Peers {
  private readonly open = new Set<PeerSocket>()
  private emptied: Array<() => void> = []
  get size(): number {
    return this.open.size
  }
  add(peer: PeerSocket): void {
    this.open.add(peer)
  }
  delete(peer: PeerSocket): void {
    this.open.delete(peer)
    if (this.open.size === 0) { for (const resolve of this.emptied.splice(0)) resolve() }
  }
  /** Starts the closing handshake on every open connection. */
  closeAll(code: number, reason: string): void {
    for (const peer of this.open) {
      try {
        peer.close(code, reason)
      } catch {
        // already closing
      }
    }
  }
  /** Resolves once every connection is closed. */
  whenEmpty(): Promise<void> {
    return this.open.size === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.emptied.push(resolve))
  }
}

/** A server that is listening: its port, its peers, and how to stop it. */
interface Listening {
  readonly port: number
  /** Stops accepting and ends every connection; resolves when the server is down. */
  readonly stop: () => Promise<void>
  /** Lets the process exit even if the server is still winding down. */
  readonly unref: () => void
}

const notAWebSocket = () =>
  new Response("this is a websocket echo server", {
    status: 426,
    headers: { upgrade: "websocket" },
  })

const listenDeno = (hostname: string, port: number, peers: Peers): Listening => {
  const deno = (globalThis as unknown as { Deno: DenoApi }).Deno
  const server = deno.serve({ hostname, port, onListen: () => {} }, (request) => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return notAWebSocket()
    const { socket, response } = deno.upgradeWebSocket(request)
    socket.binaryType = "arraybuffer"
    socket.onopen = () => peers.add(socket)
    socket.onmessage = (event) => socket.send(event.data)
    socket.onclose = () => peers.delete(socket)
    return response
  })
  return {
    port: server.addr.port,
    // shutdown() waits for open websockets; they were closed just before.
    stop: () => server.shutdown(),
    unref: () => server.unref(),
  }
}

const listenBun = (hostname: string, port: number, peers: Peers): Listening => {
  const bun = (globalThis as unknown as { Bun: BunApi }).Bun
  const server = bun.serve({
    hostname,
    port,
    fetch: (request, server) => (server.upgrade(request) ? undefined : notAWebSocket()),
    websocket: {
      open: (ws) => void peers.add(ws),
      // Text comes in as a string and goes back as text; binary as bytes.
      message: (ws, message) => void ws.send(message),
      close: (ws) => void peers.delete(ws),
    },
  })
  return {
    port: server.port,
    // stop(true) also ends the open connections, which stop() would wait for.
    stop: async () => await server.stop(true),
    unref: () => server.unref(),
  }
}

/**
 * Starts a websocket echo server in the current `Scope`: every message a
 * client sends comes back to it, text as text and binary as binary. Port 0
 * (the default) picks a free port; `url` says which. Loopback only unless
 * `hostname` says otherwise.
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
  const peers = new Peers()
  const closeAll = (code = 1000, reason = "") => Effect.sync(() => peers.closeAll(code, reason))
  return Effect.acquireRelease(
    Effect.try({
      try: () =>
        runtime.name === "deno"
          ? listenDeno(hostname, port, peers)
          : listenBun(hostname, port, peers),
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
        peers.closeAll(1001, "server shutting down")
        yield* Effect.timeoutOption(Effect.promise(() => peers.whenEmpty()), "1 second")
        yield* Effect.promise(() => server.stop()).pipe(
          Effect.timeoutOption("1 second"),
          Effect.ensuring(Effect.sync(() => server.unref())),
        )
      }),
  ).pipe(
    Effect.map((server): EchoServer => {
      const host = hostname.includes(":") ? `[${hostname}]` : hostname
      return {
        url: `ws://${host}:${server.port}/`,
        hostname,
        port: server.port,
        connections: Effect.sync(() => peers.size),
        closeAll,
      }
    }),
  )
}
