/**
 * The echo server on Bun: `Bun.serve` with websocket handlers. Internal.
 *
 * @module
 */
import {
  type Connections,
  type ConnectionSocket,
  type Listening,
  notAWebSocket,
  type Tls,
} from "./connections.ts"

interface BunSocket extends ConnectionSocket {
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
    tls?: Tls
    fetch: (request: Request, server: BunServer) => Response | undefined
    websocket: {
      open: (ws: BunSocket) => void
      message: (ws: BunSocket, message: string | Uint8Array) => void
      close: (ws: BunSocket) => void
    }
  }): BunServer
}

/** Listens on `hostname:port` (TLS with `tls`) and echoes every message, on Bun. */
export const listenBun = (
  hostname: string,
  port: number,
  connections: Connections,
  tls?: Tls,
): Listening => {
  const bun = (globalThis as unknown as { Bun: BunApi }).Bun
  const server = bun.serve({
    hostname,
    port,
    ...(tls === undefined ? {} : { tls }),
    fetch: (request, server) => (server.upgrade(request) ? undefined : notAWebSocket()),
    websocket: {
      open: (ws) => void connections.add(ws),
      // Text comes in as a string and goes back as text; binary as bytes.
      message: (ws, message) => void ws.send(message),
      close: (ws) => void connections.delete(ws),
    },
  })
  return {
    port: server.port,
    // stop(true) also ends the open connections, which stop() would wait for.
    stop: async () => await server.stop(true),
    unref: () => server.unref(),
  }
}
