import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { TestConsole } from "effect/testing"
import { serveEcho } from "effect-asyncio/websocket"
import { EchoWebsocket, main, parseArgs } from "../recipes/websocket-echo.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

const recipe = fromRoot("recipes/websocket-echo.ts")

test("websocket-echo: the recipe prints Hello World! from its embedded server and exits", async () => {
  const run = await runScript(recipe, [], { timeoutMs: 15_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, ["Hello World!"])
})

test("websocket-echo: --url talks to the server it names, then exits", async () => {
  const { run, seen } = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const server = yield* serveEcho()
    // Watching the server's connections while the recipe runs shows that it used this server.
    let seen = 0
    const watch = Effect.forever(
      Effect.flatMap(server.connections, (n) => Effect.sync(() => (seen = Math.max(seen, n))))
        .pipe(Effect.andThen(Effect.sleep("1 millis"))),
    )
    yield* Effect.forkChild(watch)
    const run = yield* Effect.promise(() =>
      runScript(recipe, ["--url", server.url], { timeoutMs: 15_000 })
    )
    return { run, seen }
  })))
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, ["Hello World!"])
  assert.equal(seen, 1, "the recipe connected to the test's server")
})

test("websocket-echo: --url to a closed port fails with WebSocketConnectError and exits 1", async () => {
  const port = await Effect.runPromise(
    Effect.scoped(Effect.map(serveEcho(), (server) => server.port)),
  )
  const run = await runScript(recipe, ["--url", `ws://127.0.0.1:${port}`], { timeoutMs: 15_000 })
  assert.equal(run.code, 1)
  assert.match(
    run.stderr + run.stdout,
    /WebSocketConnectError: cannot connect to ws:\/\/127\.0\.0\.1/,
  )
})

test("websocket-echo: --url with an http:// URL fails with WebSocketUrlError and exits 1", async () => {
  const run = await runScript(recipe, ["--url", "http://127.0.0.1:1/"], { timeoutMs: 15_000 })
  assert.equal(run.code, 1)
  assert.match(run.stderr + run.stdout, /WebSocketUrlError/)
})

test("websocket-echo: main prints the echoed Hello World! (in process, TestConsole)", async () => {
  const lines = await Effect.runPromise(
    Effect.gen(function* () {
      yield* main()
      return yield* TestConsole.logLines
    }).pipe(Effect.provide(TestConsole.layer)),
  )
  assert.deepEqual(lines, ["Hello World!"])
})

test("websocket-echo: EchoWebsocket sends and receives in order; there is none before connect", async () => {
  const replies = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const echo = yield* EchoWebsocket.connect((yield* serveEcho()).url)
    yield* echo.send("one")
    yield* echo.send("two")
    return [yield* echo.receive(), yield* echo.receive()]
  })))
  assert.deepEqual(replies, ["one", "two"])
  // @ts-expect-error: the constructor is private; `EchoWebsocket.connect` is the only way in.
  const make = () => new EchoWebsocket()
  assert.equal(typeof make, "function")
})

test("websocket-echo: --url is parsed and checked", () => {
  assert.deepEqual(parseArgs([]), {})
  assert.deepEqual(parseArgs(["--url", "wss://echo.example.org"]), {
    url: "wss://echo.example.org",
  })
  assert.throws(() => parseArgs(["--url"]), /wants a ws:\/\/ or wss:\/\/ URL/)
  assert.throws(() => parseArgs(["--url", "--other"]), /wants a ws:\/\/ or wss:\/\/ URL/)
  assert.deepEqual(parseArgs(["--url", "wss://127.0.0.1:8443/", "--ca", "ca.pem"]), {
    url: "wss://127.0.0.1:8443/",
    ca: "ca.pem",
  })
  assert.throws(() => parseArgs(["--ca"]), /--ca wants a PEM file/)
})
