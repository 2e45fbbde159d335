/**
 * The echo server on Deno: `Deno.serve` + `Deno.upgradeWebSocket`. Internal.
 *
 * @module
 */
import { type Connections, type Listening, notAWebSocket, type Tls } from "./connections.ts"

interface DenoServer {
  readonly addr: { readonly port: number }
  readonly finished: Promise<void>
  shutdown(): Promise<void>
  unref(): void
}
interface DenoApi {
  serve(
    options: { hostname: string; port: number; onListen: () => void; cert?: string; key?: string },
    handler: (request: Request) => Response,
  ): DenoServer
  upgradeWebSocket(request: Request): { socket: WebSocket; response: Response }
}

/** Listens on `hostname:port` (TLS with `tls`) and echoes every message, on Deno. */
export const listenDeno = (
  hostname: string,
  port: number,
  connections: Connections,
  tls?: Tls,
): Listening => {
  const deno = (globalThis as unknown as { Deno: DenoApi }).Deno
  const server = deno.serve({ hostname, port, onListen: () => {}, ...tls }, (request) => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return notAWebSocket()
    const { socket, response } = deno.upgradeWebSocket(request)
    socket.binaryType = "arraybuffer"
    socket.onopen = () => connections.add(socket)
    socket.onmessage = (event) => socket.send(event.data)
    socket.onclose = () => connections.delete(socket)
    return response
  })
  return {
    port: server.addr.port,
    // shutdown() waits for open websockets; they were closed just before.
    stop: () => server.shutdown(),
    unref: () => server.unref(),
  }
}
