/**
 * Bench for recipes/websocket-echo.ts — round trips through the embedded
 * echo server (`serveEcho`, in this process, on 127.0.0.1).
 *
 * Workloads:
 * - one client, 20 000 sequential round trips of a 32-byte text message
 *   (round trips/s);
 * - 32 concurrent clients × 1 000 round trips each (round trips/s over all
 *   clients, i.e. echoed messages/s);
 * - the sequential one over TLS (`wss://`, a throwaway certificate whose CA
 *   every client is given).
 * Each run connects, does its round trips, and closes (waiting for the close
 * handshake), so connection setup is in the figure, the same for every variant.
 *
 * Variants: the raw `WebSocket` API driven by its event handlers (the
 * baseline: `onmessage` sends the next message), bare `effect/socket`
 * (`Socket.makeWebSocket`, its reader's batches and its writer), and the
 * lib's `connect` (`send` then `receive`, the recipe's shape). The bare
 * variant separates what any Effect client pays (a fiber suspension per
 * reply) from what the lib adds on top. The lib's client also runs on
 * fastLoop, and on both loops "+ no async context" (in a process that opted
 * in to `effect-asyncio/no-async-context`, with its own echo server; see
 * bench/_harness.ts).
 *
 * Every loop is bounded in count, and every run in time (60 s).
 */
import { Effect, Exit, Scope } from "effect"
import { Socket } from "effect/socket"
import { fastLoop, withLoop } from "effect-asyncio/loop"
import { connect, serveEcho } from "effect-asyncio/websocket"
import { throwawayCert } from "../scripts/throwaway-cert.ts"
import { runBench, withNoAsyncContext, type Workload } from "./_harness.ts"
import { fromDef, param, textParam } from "./workloads.ts"

const bench = "websocket-echo"
// The 32-byte text both sides send (bench/workloads.json's params.message).
const message = textParam(bench, "sequential 20,000 × 32 B, 1 client", "message")
const limit = "60 seconds"

/** A raw WebSocket to `url`, trusting `ca` (PEM) when given: each runtime's own way. */
const rawWebSocket = (url: string, ca?: string): WebSocket => {
  if (ca === undefined) return new WebSocket(url)
  const deno =
    (globalThis as { Deno?: { createHttpClient(o: { caCerts: Array<string> }): unknown } })
      .Deno
  return deno === undefined
    ? new WebSocket(url, { tls: { ca } } as never)
    : new WebSocket(url, { client: deno.createHttpClient({ caCerts: [ca] }) } as never)
}

/** n round trips on one raw WebSocket; resolves once it is closed. */
const rawClient = (url: string, n: number, ca?: string) =>
  new Promise<void>((resolve, reject) => {
    const ws = rawWebSocket(url, ca)
    const timer = setTimeout(() => {
      ws.close()
      reject(new Error(`raw client: not done within ${limit}`))
    }, 60_000)
    let left = n
    ws.onopen = () => ws.send(message)
    ws.onmessage = () => {
      if (--left === 0) ws.close(1000)
      else ws.send(message)
    }
    ws.onerror = (event) => reject(new Error(`raw client: ${(event as ErrorEvent).message}`))
    ws.onclose = () => {
      clearTimeout(timer)
      if (left === 0) resolve()
      else reject(new Error(`raw client: closed with ${left} round trips to go`))
    }
  })

/** n round trips with the lib's client: send, then receive. */
const libClient = (url: string, n: number, ca?: string) =>
  Effect.scoped(Effect.gen(function* () {
    const ws = yield* connect(url, ca === undefined ? {} : { ca })
    for (let i = 0; i < n; i++) {
      yield* ws.send(message)
      yield* ws.receive
    }
  }))

/** n round trips on bare effect/socket: the writer, and the reader's batches. */
const socketClient = (url: string, n: number) =>
  Effect.scoped(Effect.gen(function* () {
    const socket = yield* Socket.makeWebSocket(url)
    const { pull } = yield* socket.reader
    const { write } = yield* socket.writer
    for (let left = n; left > 0;) {
      yield* write(message)
      left -= (yield* pull).length
    }
  })).pipe(Effect.provide(Socket.layerWebSocketConstructorGlobal))

const timed = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.timeoutOrElse(effect, {
    duration: limit,
    orElse: () => Effect.die(new Error(`not done within ${limit}`)),
  }))

/**
 * A workload of bench/workloads.json: `clients` clients, each doing ops /
 * clients round trips; over TLS when `ca` is given (the bare effect/socket
 * variant is left out there: its WebSocket constructor takes no CA).
 */
const workload = (url: string, name: string, ca?: string): Workload => {
  const def = fromDef(bench, name)
  const clients = param(bench, name, "clients")
  const roundTrips = def.ops / clients
  if (textParam(bench, name, "message") !== message) throw new Error(`${name}: another message`)
  const all = Array.from({ length: clients })
  const libClients = Effect.all(all.map(() => libClient(url, roundTrips, ca)), {
    concurrency: "unbounded",
  })
  return {
    ...def,
    variants: [
      {
        name: "raw WebSocket (event handlers)",
        baseline: true,
        run: () => Promise.all(all.map(() => rawClient(url, roundTrips, ca))),
      },
      ...(ca === undefined
        ? [{
          name: "effect/socket (bare reader/writer)",
          run: () =>
            timed(Effect.all(all.map(() => socketClient(url, roundTrips)), {
              concurrency: "unbounded",
            })),
        }]
        : []),
      ...withNoAsyncContext([
        { name: "connect: send + receive (lib)", run: () => timed(libClients) },
        {
          name: "connect: send + receive (lib) on fastLoop",
          run: () => timed(withLoop(fastLoop)(libClients)),
        },
      ]),
    ],
  }
}

if (import.meta.main) {
  const scope = Effect.runSync(Scope.make())
  const server = await Effect.runPromise(Scope.provide(serveEcho(), scope))
  const tls = await throwawayCert()
  const secure = await Effect.runPromise(
    Scope.provide(serveEcho({ tls: { cert: tls.cert, key: tls.key } }), scope),
  )
  try {
    await runBench([
      workload(server.url, "sequential 20,000 × 32 B, 1 client"),
      workload(server.url, "concurrent 32 clients × 1,000 × 32 B"),
      workload(secure.url, "sequential 20,000 × 32 B, 1 client, TLS", tls.ca),
    ])
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
