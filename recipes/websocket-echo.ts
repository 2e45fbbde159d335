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
 * internet needed); `--url` talks to a real one instead.
 *
 * Run it:  deno run --allow-net recipes/websocket-echo.ts [--url ws://host:port/path]
 *          bun recipes/websocket-echo.ts [--url wss://echo.example.org]
 *
 * Output:
 *   Hello World!
 */
import { Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"
import { connect, type Message, serveEcho, type WebSocketClient } from "effect-asyncio/websocket"
import process from "node:process"
import * as util from "node:util"

// Unlike the playbook's class, there is no EchoWebsocket before it is connected:
// `EchoWebsocket.connect` is the only way to make one, so `send` before
// `connect` cannot be written (it would not compile).
export class EchoWebsocket {
  private constructor(private readonly websocket: WebSocketClient) {}

  /** Opens the websocket; it stays open until the enclosing scope ends. */
  static connect(url: string) {
    return Effect.map(connect(url, { timeout: "10 seconds" }), (ws) => new EchoWebsocket(ws))
  }

  send(message: Message) {
    return this.websocket.send(message)
  }

  /** The next message (a reply that came early is waiting in the buffer). */
  receive() {
    return this.websocket.receive
  }
}

/** Says "Hello World!" to the echo server at `url`, or to one it starts itself. */
export const main = (url?: string) =>
  Effect.gen(function* () {
    const target = url ?? (yield* serveEcho()).url
    const echo = yield* EchoWebsocket.connect(target)
    yield* echo.send("Hello World!")
    yield* Console.log(yield* echo.receive())
  }).pipe(Effect.scoped) // closes the socket, then stops the server

/** Reads `--url <ws://… or wss://…>` from the command line; undefined when absent. */
export const parseArgs = (args: ReadonlyArray<string>): { url?: string } => {
  try {
    const { url } = util.parseArgs({ args: [...args], options: { url: { type: "string" } } }).values
    return url === undefined ? {} : { url }
  } catch (error) {
    // `--url` with no value, or with another flag after it.
    if ((error as { code?: string }).code !== "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw error
    throw new Error("--url wants a ws:// or wss:// URL", { cause: error })
  }
}

if (import.meta.main) run(main(parseArgs(process.argv.slice(2)).url))
