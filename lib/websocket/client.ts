/**
 * The websocket client: `connect(url)`, a scoped resource on Effect's
 * `effect/socket`. Internal: `effect-asyncio/websocket` re-exports it.
 *
 * @module
 */
import { Cause, Deferred, Duration, Effect, Exit, Scope, Stream } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import { Socket } from "effect/socket"
import {
  closedError,
  describe,
  type WebSocketClosedError,
  WebSocketConnectError,
  WebSocketTimeoutError,
  WebSocketUrlError,
} from "./errors.ts"

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
  /**
   * For `wss://`: the certificate authorities to trust, PEM text (one, or
   * several), instead of the runtime's own roots; e.g. the CA of a server
   * with a private or throwaway certificate. Deno: a `Deno.createHttpClient`
   * with these `caCerts` (closed with the socket); Bun: the `tls.ca` option
   * of its `WebSocket`. Without it, each runtime's convention applies: Deno
   * trusts its bundled roots (or the system's with `DENO_TLS_CA_STORE=system`,
   * or a file given by `--cert` / `DENO_CERT`), Bun the system's and
   * `NODE_EXTRA_CA_CERTS`. A certificate the client does not trust fails
   * `connect` with a {@link WebSocketConnectError} that says so.
   */
  readonly ca?: string | ReadonlyArray<string>
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

/** How Deno (rustls) and Bun (BoringSSL) word a certificate they do not trust. */
const UNTRUSTED = /certificate|UnknownIssuer|unable to verify|self[- ]signed/i

interface DenoTls {
  createHttpClient(options: { caCerts: Array<string> }): { close(): void }
}

/**
 * The runtime's `WebSocket` for `href`; with `ca`, trusting those authorities
 * (Deno: an HTTP client with `caCerts`, handed to `release` to close later;
 * Bun: its `tls.ca` option).
 */
const openWebSocket = (
  href: string,
  options: ConnectOptions,
  release: (close: () => void) => void,
): WebSocket => {
  if (options.ca === undefined) return new WebSocket(href, options.protocols)
  const ca = typeof options.ca === "string" ? [options.ca] : [...options.ca]
  const deno = (globalThis as { Deno?: DenoTls }).Deno
  if (deno !== undefined) {
    const client = deno.createHttpClient({ caCerts: ca })
    release(() => client.close())
    try {
      return new WebSocket(href, { protocols: options.protocols, client } as never)
    } catch (error) {
      client.close()
      throw error
    }
  }
  return new WebSocket(href, { protocols: options.protocols, tls: { ca } } as never)
}

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
    // Deno's TLS client for `ca`, closed once the socket is.
    let releaseTls: (() => void) | undefined
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
          const socket = openWebSocket(href, options, (release) => (releaseTls = release))
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
          return Effect.ensuring(awaitClosed, Effect.sync(() => releaseTls?.()))
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
        const why = describe(cause)
        // An untrusted certificate says what to do about it.
        const hint = href.startsWith("wss:") && UNTRUSTED.test(why)
          ? ": the server's certificate is not trusted (give its CA with connect(url, { ca }))"
          : ""
        return new WebSocketConnectError({
          url: href,
          cause,
          message: `cannot connect to ${href}: ${why}${hint}`,
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
