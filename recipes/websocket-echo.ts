/**
 * A simple websocket — the playbook's `EchoWebsocket` (`connect`, `send`,
 * `receive`) and a `main` that says "Hello World!" to an echo server.
 *
 * The playbook wraps an aiohttp websocket in a small class and talks to a
 * public echo server. Here the class wraps `connect` from
 * `effect-asyncio/websocket`, and what to notice is what Effect adds:
 * - `connect` is a scoped resource: when `main`'s scope ends the socket is
 *   closed (and the embedded server stopped), even if `main` fails or is
 *   interrupted, so nothing keeps the process alive;
 * - a reply that arrives before `receive` is called is buffered, not lost;
 * - failures are typed errors: a bad URL, a refused connection, a timeout, a
 *   peer that closes while we wait for its reply (with its close code).
 * With no argument the recipe starts its own echo server on 127.0.0.1 (no
 * internet needed); `--url` talks to a real one instead, and `--ca FILE`
 * trusts the certificate authority in FILE (PEM) for a `wss://` server whose
 * certificate the runtime does not trust already (Deno then also needs
 * `--allow-read`, to read FILE).
 *
 * Run it:  deno run --allow-net recipes/websocket-echo.ts [--url ws://host:port/path]
 *          bun recipes/websocket-echo.ts [--url wss://host:port/ --ca ca.pem]
 *
 * Output:
 *   Hello World!
 */
import { Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"
import { connect, type Message, serveEcho, type WebSocketClient } from "effect-asyncio/websocket"
import { readFileSync } from "node:fs"
import process from "node:process"
import * as util from "node:util"

// Unlike the playbook's class, there is no EchoWebsocket before it is connected:
// `EchoWebsocket.connect` is the only way to make one, so `send` before
// `connect` cannot be written (it would not compile).
export class EchoWebsocket {
  private constructor(private readonly websocket: WebSocketClient) {}

  /** Opens the websocket; it stays open until the enclosing scope ends. `ca`: PEM text to trust. */
  static connect(url: string, ca?: string) {
    return Effect.map(
      connect(url, { timeout: "10 seconds", ...(ca === undefined ? {} : { ca }) }),
      (ws) => new EchoWebsocket(ws),
    )
  }

  send(message: Message) {
    return this.websocket.send(message)
  }

  /** The next message (a reply that came early is waiting in the buffer). */
  receive() {
    return this.websocket.receive
  }
}

/** Says "Hello World!" to the echo server at `url` (trusting the CA in `caFile`), or to its own. */
export const main = (url?: string, caFile?: string) =>
  Effect.gen(function* () {
    const target = url ?? (yield* serveEcho()).url
    const ca = caFile === undefined ? undefined : yield* readText(caFile)
    const echo = yield* EchoWebsocket.connect(target, ca)
    yield* echo.send("Hello World!")
    yield* Console.log(yield* echo.receive())
  }).pipe(Effect.scoped) // closes the socket, then stops the server

/** The text of a file (the CA), or an error that names it. */
const readText = (file: string) =>
  Effect.try({
    try: () => readFileSync(file, "utf8"),
    catch: (cause) => new Error(`cannot read --ca ${file}: ${(cause as Error).message}`, { cause }),
  })

/** Reads `--url <ws://… or wss://…>` and `--ca FILE` from the command line; absent ones are left out. */
export const parseArgs = (args: ReadonlyArray<string>): { url?: string; ca?: string } => {
  try {
    const { url, ca } = util.parseArgs({
      args: [...args],
      options: { url: { type: "string" }, ca: { type: "string" } },
    }).values
    return { ...(url === undefined ? {} : { url }), ...(ca === undefined ? {} : { ca }) }
  } catch (error) {
    // A flag with no value, or with another flag after it.
    if ((error as { code?: string }).code !== "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw error
    const which = (error as Error).message.includes("--ca")
      ? "--ca wants a PEM file"
      : "--url wants a ws:// or wss:// URL"
    throw new Error(which, { cause: error })
  }
}

if (import.meta.main) {
  const { url, ca } = parseArgs(process.argv.slice(2))
  run(main(url, ca))
}
