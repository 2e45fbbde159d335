/**
 * What the echo server's two runtime adapters share: the set of open
 * connections, and the shape of a server that is listening. Internal.
 *
 * @module
 */

/** The part of a server-side socket the echo server uses, the same on both runtimes. */
export interface ConnectionSocket {
  close(code?: number, reason?: string): void
}

/** The open connections of a server, and a way to wait until there are none. */
export class Connections {
  private readonly open = new Set<ConnectionSocket>()
  private emptied: Array<() => void> = []
  get size(): number {
    return this.open.size
  }
  add(socket: ConnectionSocket): void {
    this.open.add(socket)
  }
  delete(socket: ConnectionSocket): void {
    this.open.delete(socket)
    if (this.open.size === 0) { for (const resolve of this.emptied.splice(0)) resolve() }
  }
  /** Starts the closing handshake on every open connection. */
  closeAll(code: number, reason: string): void {
    for (const socket of this.open) {
      try {
        socket.close(code, reason)
      } catch {
        // already closing
      }
    }
  }
  /** Resolves once every connection is closed. */
  whenEmpty(): Promise<void> {
    return this.open.size === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.emptied.push(resolve))
  }
}

/** A certificate chain and its private key, PEM text, for a TLS server. */
export interface Tls {
  readonly cert: string
  readonly key: string
}

/** A server that is listening: its port, its connections, and how to stop it. */
export interface Listening {
  readonly port: number
  /** Stops accepting and ends every connection; resolves when the server is down. */
  readonly stop: () => Promise<void>
  /** Lets the process exit even if the server is still winding down. */
  readonly unref: () => void
}

/** The answer to a plain HTTP request: this server speaks websocket only. */
export const notAWebSocket = () =>
  new Response("this is a websocket echo server", {
    status: 426,
    headers: { upgrade: "websocket" },
  })
