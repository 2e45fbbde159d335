// wss://: the embedded echo server serves TLS with a certificate
// (`serveEcho({ tls })`), the client trusts a CA given to it
// (`connect(url, { ca })`), and so does the recipe (`--url wss://… --ca FILE`),
// against our own server and against aiohttp behind Python's ssl. A
// certificate the client does not trust is a typed error, at once.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import { connect, serveEcho, WebSocketConnectError } from "effect-asyncio/websocket"
import { throwawayCert } from "../../scripts/throwaway-cert.ts"
import { fromRoot, runScript } from "../../scripts/support.ts"

const tls = await throwawayCert()
// Another CA, which did not sign the server's certificate.
const stranger = await throwawayCert()

const live = <A, E>(program: Effect.Effect<A, E, Scope.Scope>) =>
  Effect.runPromise(program.pipe(
    Effect.scoped,
    Effect.timeoutOrElse({
      duration: "20 seconds",
      orElse: () => Effect.die(new Error("the test hung for 20 s")),
    }),
  ))

test("websocket TLS: serveEcho({ tls }) serves wss://, and connect(url, { ca }) echoes text and bytes", async () => {
  const { url, replies } = await live(Effect.gen(function* () {
    const server = yield* serveEcho({ tls: { cert: tls.cert, key: tls.key } })
    const ws = yield* connect(server.url, { ca: tls.ca })
    yield* ws.send("Hello World!")
    yield* ws.send(new Uint8Array([1, 2, 3]))
    return { url: server.url, replies: [yield* ws.receive, yield* ws.receive] }
  }))
  assert.match(url, /^wss:\/\/127\.0\.0\.1:\d+\/$/)
  assert.deepEqual(replies, ["Hello World!", new Uint8Array([1, 2, 3])])
})

test("websocket TLS: a CA that did not sign the server's certificate is a typed error, not a hang", async () => {
  for (const ca of [stranger.ca, undefined]) {
    const error = await live(Effect.gen(function* () {
      const server = yield* serveEcho({ tls: { cert: tls.cert, key: tls.key } })
      return yield* Effect.flip(connect(server.url, ca === undefined ? {} : { ca }))
    }))
    assert.ok(error instanceof WebSocketConnectError, String(error))
    assert.match(error.message, /the server's certificate is not trusted \(give its CA with/)
  }
})

/** The CA in a temporary file, for the recipe's --ca. */
const caFile = (pem: string) => {
  const dir = mkdtempSync(join(tmpdir(), "effect-asyncio-tls-"))
  writeFileSync(join(dir, "ca.pem"), pem)
  return { file: join(dir, "ca.pem"), [Symbol.dispose]: () => rmSync(dir, { recursive: true }) }
}

const recipe = fromRoot("recipes/websocket-echo.ts")
const recipeFlags = ["--allow-net", "--allow-read"]

test("websocket TLS: the recipe talks to a wss:// server with --ca FILE; a wrong CA fails it with exit 1", async () => {
  using ca = caFile(tls.ca)
  using wrong = caFile(stranger.ca)
  const [ok, bad] = await live(Effect.gen(function* () {
    const server = yield* serveEcho({ tls: { cert: tls.cert, key: tls.key } })
    const runWith = (file: string) =>
      Effect.promise(() =>
        runScript(recipe, ["--url", server.url, "--ca", file], { denoFlags: recipeFlags })
      )
    return [yield* runWith(ca.file), yield* runWith(wrong.file)]
  }))
  assert.equal(ok.code, 0, ok.stderr)
  assert.deepEqual(ok.lines, ["Hello World!"])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /WebSocketConnectError: cannot connect to wss:\/\/.*not trusted/)
})

const python = "/usr/bin/python3"

/** Starts tests/fixtures/aiohttp-echo.py with the throwaway certificate; resolves with its port, or a reason to skip. */
const startAiohttp = (dir: string) =>
  new Promise<{ port: number; stop: () => void } | { skip: string }>((resolve, reject) => {
    writeFileSync(join(dir, "cert.pem"), tls.cert)
    writeFileSync(join(dir, "key.pem"), tls.key, { mode: 0o600 })
    const child = spawn(python, [
      fromRoot("tests/fixtures/aiohttp-echo.py"),
      join(dir, "cert.pem"),
      join(dir, "key.pem"),
    ], { stdio: ["pipe", "pipe", "inherit"] })
    const stop = () => {
      child.stdin.end()
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref()
    }
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error("aiohttp-echo.py did not listen within 20 s"))
    }, 20_000)
    let out = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      const port = out.match(/port (\d+)/)?.[1]
      if (port !== undefined) {
        clearTimeout(timer)
        resolve({ port: Number(port), stop })
      }
    })
    child.on("error", (error) => {
      clearTimeout(timer)
      resolve({ skip: `${python} cannot start: ${error.message}` })
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({
        skip: code === 3
          ? `aiohttp is not installed for ${python} (apt-get install python3-aiohttp)`
          : `aiohttp-echo.py exited with ${code}`,
      })
    })
  })

test("websocket TLS: the client and the recipe talk to aiohttp behind Python's ssl", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "effect-asyncio-tls-"))
  const server = await startAiohttp(dir)
  try {
    if ("skip" in server) return t.skip(server.skip)
    const url = `wss://127.0.0.1:${server.port}/`
    const reply = await live(Effect.gen(function* () {
      const ws = yield* connect(url, { ca: tls.ca })
      yield* ws.send("over TLS")
      return yield* ws.receive
    }))
    assert.equal(reply, "over TLS")
    const wrong = await live(Effect.flip(connect(url, { ca: stranger.ca })))
    assert.ok(wrong instanceof WebSocketConnectError)
    writeFileSync(join(dir, "ca.pem"), tls.ca)
    const run = await runScript(recipe, ["--url", url, "--ca", join(dir, "ca.pem")], {
      denoFlags: recipeFlags,
    })
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(run.lines, ["Hello World!"])
  } finally {
    if (!("skip" in server)) server.stop()
    rmSync(dir, { recursive: true })
  }
})
