import { test } from "node:test"
import assert from "node:assert/strict"
import net from "node:net"
import { spawn } from "node:child_process"
import { Cause, Effect, Exit, Fiber, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import {
  connect,
  type Message,
  parseUrl,
  serveEcho,
  WebSocketClosedError,
  WebSocketConnectError,
  WebSocketServeError,
  WebSocketTimeoutError,
  WebSocketUrlError,
} from "effect-asyncio/websocket"
import { fromRoot, runScript, scriptCommand } from "../../scripts/support.ts"

/**
 * Runs a test program on real sockets, with a guard: a program that hangs
 * fails the test after 20 s instead of hanging the suite.
 */
const live = <A, E>(program: Effect.Effect<A, E, Scope.Scope>) =>
  Effect.runPromise(
    program.pipe(
      Effect.scoped,
      Effect.timeoutOrElse({
        duration: "20 seconds",
        orElse: () => Effect.die(new Error("the test hung for 20 s")),
      }),
    ),
  )

/** An echo server and a client connected to it, in the current scope. */
const echoPair = Effect.gen(function* () {
  const server = yield* serveEcho()
  const ws = yield* connect(server.url)
  return { server, ws }
})

/** A port nothing listens on: an echo server's, after it has stopped. */
const closedPort = Effect.scoped(Effect.map(serveEcho(), (server) => server.port))

/** A TCP server on 127.0.0.1 that accepts connections and never answers the handshake. */
const silentServer = Effect.acquireRelease(
  Effect.callback<{ server: net.Server; sockets: Set<net.Socket> }>((resume) => {
    const sockets = new Set<net.Socket>()
    const server = net.createServer((socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, sockets })))
  }),
  ({ server, sockets }) =>
    Effect.sync(() => {
      for (const socket of sockets) socket.destroy()
      server.close()
    }),
).pipe(Effect.map(({ server }) => ({ port: (server.address() as net.AddressInfo).port })))

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 255)

// --- echo -------------------------------------------------------------------

test("websocket: a text message comes back as text", async () => {
  const reply = await live(Effect.gen(function* () {
    const { ws } = yield* echoPair
    yield* ws.send("Hello World!")
    return yield* ws.receive
  }))
  assert.equal(reply, "Hello World!")
})

test("websocket: a binary message comes back as the same bytes", async () => {
  const reply = await live(Effect.gen(function* () {
    const { ws } = yield* echoPair
    yield* ws.send(new Uint8Array([0, 1, 2, 254, 255]))
    return yield* ws.receive
  }))
  assert.ok(reply instanceof Uint8Array)
  assert.deepEqual(reply, new Uint8Array([0, 1, 2, 254, 255]))
})

test("websocket: a 1 MiB binary and a 1 MiB text message come back whole", async () => {
  const big = bytes(1 << 20)
  const text = "é".repeat(1 << 19) // 1 MiB of UTF-8
  const [binary, string] = await live(Effect.gen(function* () {
    const { ws } = yield* echoPair
    yield* ws.send(big)
    yield* ws.send(text)
    return [yield* ws.receive, yield* ws.receive] as const
  }))
  assert.deepEqual(binary, big)
  assert.equal(string, text)
})

test("websocket: 1 000 messages sent back to back arrive complete and in order", async () => {
  const sent = Array.from({ length: 1_000 }, (_, i) => `message ${i}`)
  const received = await live(Effect.gen(function* () {
    const { ws } = yield* echoPair
    for (const message of sent) yield* ws.send(message)
    const out: Array<Message> = []
    for (let i = 0; i < 500; i++) out.push(yield* ws.receive)
    // Let the other replies pile up in the buffer between two receives: none may be lost.
    yield* Effect.sleep("100 millis")
    for (let i = 500; i < sent.length; i++) out.push(yield* ws.receive)
    return out
  }))
  assert.deepEqual(received, sent)
})

test("websocket: messages is a Stream of the same buffer, in order", async () => {
  const received = await live(Effect.gen(function* () {
    const { ws } = yield* echoPair
    for (let i = 0; i < 1_000; i++) yield* ws.send(i % 2 ? `t${i}` : new Uint8Array([i & 255]))
    const first = yield* ws.receive
    const rest = yield* Stream.runCollect(Stream.take(ws.messages, 999))
    return [first, ...rest]
  }))
  assert.equal(received.length, 1_000)
  received.forEach((message, i) =>
    assert.deepEqual(message, i % 2 ? `t${i}` : new Uint8Array([i & 255]))
  )
})

test("websocket: 50 concurrent clients each get their own replies", async () => {
  const replies = await live(Effect.gen(function* () {
    const server = yield* serveEcho()
    return yield* Effect.forEach(
      Array.from({ length: 50 }, (_, i) => i),
      (i) =>
        Effect.gen(function* () {
          const ws = yield* connect(server.url)
          const out: Array<Message> = []
          for (let j = 0; j < 20; j++) {
            yield* ws.send(`client ${i} message ${j}`)
            out.push(yield* ws.receive)
          }
          return out
        }).pipe(Effect.scoped),
      { concurrency: "unbounded" },
    )
  }))
  assert.equal(replies.length, 50)
  replies.forEach((out, i) =>
    assert.deepEqual(out, Array.from({ length: 20 }, (_, j) => `client ${i} message ${j}`))
  )
})

test("websocket: two fibers receiving at once each get a message (no lost waiter)", async () => {
  const got = await live(Effect.gen(function* () {
    const { ws } = yield* echoPair
    const a = yield* Effect.forkChild(ws.receive)
    const b = yield* Effect.forkChild(ws.receive)
    yield* Effect.yieldNow
    yield* ws.send("one")
    yield* ws.send("two")
    return [yield* Fiber.join(a), yield* Fiber.join(b)]
  }))
  assert.deepEqual([...got].sort(), ["one", "two"])
})

// --- failures ---------------------------------------------------------------

test("websocket: a server that is not there fails fast with WebSocketConnectError", async () => {
  const error = await live(Effect.gen(function* () {
    const port = yield* closedPort
    // A connect timeout far past the test's guard: the refusal must come first.
    return yield* Effect.flip(connect(`ws://127.0.0.1:${port}`, { timeout: "5 minutes" }))
  }))
  assert.ok(error instanceof WebSocketConnectError, String(error))
  assert.match(error.url, /^ws:\/\/127\.0\.0\.1:\d+\/$/)
  assert.match(error.message, /^cannot connect to ws:\/\/127\.0\.0\.1:\d+\/: ./)
  assert.notEqual(error.cause, undefined)
})

test("websocket: the server closing mid-conversation fails the pending receive with its code and reason", async () => {
  const { pending, early, sendAfter } = await live(Effect.gen(function* () {
    const { server, ws } = yield* echoPair
    yield* ws.send("before the close")
    const early = yield* ws.receive
    const waiting = yield* Effect.forkChild(Effect.flip(ws.receive))
    yield* Effect.yieldNow
    yield* server.closeAll(4000, "bye")
    const pending = yield* Fiber.join(waiting)
    const sendAfter = yield* Effect.flip(ws.send("too late"))
    return { pending, early, sendAfter }
  }))
  assert.equal(early, "before the close")
  assert.ok(pending instanceof WebSocketClosedError)
  assert.equal(pending.code, 4000)
  assert.equal(pending.reason, "bye")
  assert.match(pending.message, /closed \(code 4000, reason "bye"\)/)
  assert.ok(sendAfter instanceof WebSocketClosedError)
  assert.equal(sendAfter.code, 4000)
})

test("websocket: replies that arrived before the server closed are still received, then the close", async () => {
  const results = await live(Effect.gen(function* () {
    const { server, ws } = yield* echoPair
    yield* ws.send("a")
    yield* ws.send("b")
    // Wait until both replies are buffered (a third round trip is behind them).
    yield* ws.send("c")
    const out: Array<unknown> = [yield* ws.receive]
    yield* Effect.sleep("50 millis")
    yield* server.closeAll(4002, "gone")
    out.push(yield* ws.receive, yield* ws.receive)
    out.push((yield* Effect.flip(ws.receive)).code)
    return out
  }))
  assert.deepEqual(results, ["a", "b", "c", 4002])
})

test("websocket: the messages Stream ends on a normal close and fails on any other", async () => {
  const [normal, abnormal] = await live(Effect.gen(function* () {
    const server = yield* serveEcho()
    const collect = (code: number) =>
      Effect.gen(function* () {
        const ws = yield* connect(server.url)
        yield* ws.send("x")
        yield* ws.receive
        yield* server.closeAll(code, "done")
        return yield* Effect.exit(Stream.runCollect(ws.messages))
      }).pipe(Effect.scoped)
    return [yield* collect(1000), yield* collect(4001)] as const
  }))
  assert.deepEqual(normal, Exit.succeed([]))
  assert.ok(Exit.isFailure(normal) === false)
  assert.ok(Exit.isFailure(abnormal))
  const error = Cause.squash(abnormal.cause)
  assert.ok(error instanceof WebSocketClosedError)
  assert.equal(error.code, 4001)
})

test("websocket: close(code, reason) closes the socket; a pending receive fails with that code", async () => {
  const { pending, sendAfter, connections } = await live(Effect.gen(function* () {
    const { server, ws } = yield* echoPair
    const waiting = yield* Effect.forkChild(Effect.flip(ws.receive))
    yield* Effect.yieldNow
    yield* ws.close(4001, "done here")
    const pending = yield* Fiber.join(waiting)
    const sendAfter = yield* Effect.flip(ws.send("after close"))
    yield* Effect.sleep("20 millis")
    return { pending, sendAfter, connections: yield* server.connections }
  }))
  assert.equal(pending.code, 4001)
  assert.equal(pending.reason, "done here")
  assert.equal(sendAfter.code, 4001)
  assert.equal(connections, 0)
})

test("websocket: close with an invalid code or reason is a defect", async () => {
  const exits = await live(Effect.gen(function* () {
    const { ws } = yield* echoPair
    return [
      yield* Effect.exit(ws.close(1006)),
      yield* Effect.exit(ws.close(4000, "x".repeat(124))),
    ]
  }))
  for (const exit of exits) {
    assert.ok(Exit.isFailure(exit) && Cause.hasDies(exit.cause), String(exit))
  }
})

test("websocket: an invalid URL or scheme fails with WebSocketUrlError before any connection", async () => {
  const errors = await live(Effect.gen(function* () {
    const server = yield* serveEcho()
    const http = server.url.replace("ws:", "http:")
    const errors = yield* Effect.forEach(
      ["not a url", "", http, "ftp://127.0.0.1/", `${server.url}#fragment`],
      (url) => Effect.flip(connect(url)),
    )
    return { errors, connections: yield* server.connections }
  }))
  assert.equal(errors.connections, 0)
  for (const error of errors.errors) assert.ok(error instanceof WebSocketUrlError, String(error))
  assert.match(errors.errors[2].message, /ws:\/\/ or wss:\/\/, not http:/)
  assert.deepEqual(
    await Effect.runPromise(parseUrl("WSS://Example.org:443/a?b=c")),
    "wss://example.org/a?b=c",
  )
})

test("websocket: the connect timeout fails with WebSocketTimeoutError at the limit, not before (TestClock)", async () => {
  const error = await live(
    Effect.gen(function* () {
      const server = yield* silentServer
      const fiber = yield* Effect.forkChild(
        Effect.flip(connect(`ws://127.0.0.1:${server.port}`, { timeout: "3 seconds" })),
      )
      // The handshake never completes; only the (test) clock can end the wait.
      yield* TestClock.adjust("2999 millis")
      assert.equal(fiber.pollUnsafe(), undefined, "timed out before the limit")
      yield* TestClock.adjust("1 millis")
      return yield* Fiber.join(fiber)
    }).pipe(Effect.provide(TestClock.layer())),
  )
  assert.ok(error instanceof WebSocketTimeoutError, String(error))
  assert.match(error.message, /did not open within 3s/)
})

test("serveEcho: a port that is taken fails with WebSocketServeError", async () => {
  const error = await live(Effect.gen(function* () {
    const server = yield* serveEcho()
    return yield* Effect.flip(serveEcho({ port: server.port }))
  }))
  assert.ok(error instanceof WebSocketServeError, String(error))
})

test("serveEcho: plain HTTP gets 426 Upgrade Required", async () => {
  const status = await live(Effect.gen(function* () {
    const server = yield* serveEcho()
    const response = yield* Effect.promise(() => fetch(server.url.replace("ws:", "http:")))
    yield* Effect.promise(() => response.text())
    return response.status
  }))
  assert.equal(status, 426)
})

// --- nothing left behind ----------------------------------------------------

test("websocket: after the scope closes no connection is left, and then no server", async () => {
  const { during, after, refused } = await live(Effect.gen(function* () {
    const outer = yield* Scope.make()
    const server = yield* Scope.provide(serveEcho(), outer)
    const during = yield* Effect.scoped(Effect.gen(function* () {
      yield* Effect.forEach([1, 2, 3], () => connect(server.url))
      yield* Effect.sleep("20 millis")
      return yield* server.connections
    }))
    // The client scope waited for the closing handshakes: the server has let go of them.
    const after = yield* server.connections
    yield* Scope.close(outer, Exit.void)
    const refused = yield* Effect.flip(Effect.scoped(connect(server.url)))
    return { during, after, refused }
  }))
  assert.equal(during, 3)
  assert.equal(after, 0)
  assert.ok(refused instanceof WebSocketConnectError)
})

for (const mode of ["clean", "fail", "interrupted", "server-gone", "timeout"]) {
  test(`websocket: the process exits once its scope closes (${mode})`, async () => {
    // For "timeout", the fixture connects to a server here that never answers.
    const run = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const { port } = yield* silentServer
      return yield* Effect.promise(() =>
        runScript(fromRoot("tests/fixtures/websocket-exit.ts"), [mode, String(port)], {
          timeoutMs: 15_000,
        })
      )
    })))
    assert.equal(run.code, mode === "fail" ? 1 : 0, run.stderr)
    // (a failure is logged after them, on stdout on Bun)
    assert.deepEqual(run.lines.slice(0, 2), ["open", "closed"])
  })
}

test("serveEcho: its process exits even when a peer never answers the close", async () => {
  // The peer is a bare TCP client here: it does the opening handshake, then
  // ignores everything, so only the server's bounded waits and unref can end it.
  const [exe, ...args] = scriptCommand(fromRoot("tests/fixtures/websocket-exit.ts"), ["stubborn"])
  const child = spawn(exe, args, { stdio: ["ignore", "pipe", "pipe"] })
  let peer: net.Socket | undefined
  let stdout = ""
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`still running after 15 s\n${stderr}`)),
        15_000,
      )
      child.on("exit", (code) => {
        clearTimeout(timer)
        resolve(code)
      })
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        const first = stdout === ""
        stdout += chunk
        if (!first) return
        const url = new URL(chunk.split("\n")[0])
        peer = net.connect(Number(url.port), url.hostname, () =>
          peer!.write(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
          ))
        peer.on("error", () => {})
      })
    })
    assert.equal(code, 0, stderr)
    assert.deepEqual(stdout.split("\n").filter(Boolean).slice(1), ["open", "closed"])
  } finally {
    peer?.destroy()
    child.kill("SIGKILL")
  }
})
