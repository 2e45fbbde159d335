/**
 * The typed failures of `effect-asyncio/websocket`, client and server.
 * Internal: the public module re-exports them.
 *
 * @module
 */
import { Data, type Duration } from "effect"

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

/** The error of a socket closed with `code` and `reason`. */
export const closedError = (url: string, code: number, reason: string) =>
  new WebSocketClosedError({
    url,
    code,
    reason,
    message: `websocket ${url} closed (code ${code}${reason ? `, reason "${reason}"` : ""})`,
  })

/** A readable message from whatever a socket or server threw. */
export const describe = (cause: unknown): string => {
  if (cause instanceof Error) return cause.message
  const message = (cause as { message?: unknown } | undefined)?.message
  if (typeof message === "string" && message !== "") return message
  const error = (cause as { error?: unknown } | undefined)?.error
  if (error instanceof Error) return error.message
  return String((cause as { type?: unknown } | undefined)?.type ?? cause)
}
