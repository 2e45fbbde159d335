/**
 * How members of a task cluster reach each other: Effect Cluster's socket
 * runner over mutual TLS. Internal to `effect-asyncio/cluster`.
 *
 * The shape is `NodeClusterSocket.layer` of `@effect/platform-node` (which
 * takes no TLS option) with its TCP server and client protocol swapped for
 * `NodeSocketServer.makeTls` and `NodeSocket.makeTls`: a runner's server asks
 * every peer for a certificate and drops the connection, before any message,
 * unless the cluster's CA signed it; a member connecting to a runner checks
 * the runner's certificate (the CA, and the address it announced) and shows
 * its own.
 *
 * @module
 */
import { type Config, Effect, Layer, Option } from "effect"
import {
  type MessageStorage,
  Runners,
  type RunnerStorage,
  type Sharding,
  ShardingConfig,
  SocketRunner,
  SqlMessageStorage,
  SqlRunnerStorage,
} from "effect/cluster"
import { RpcClient, RpcSerialization } from "effect/rpc"
import { Socket, SocketServer } from "effect/socket"
import type { SqlClient } from "effect/sql"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as NodeCrypto from "@effect/platform-node/NodeCrypto"
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as Tls from "node:tls"
import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
import type { ClusterCredentials } from "./credentials.ts"
import { runnerHealthLayer } from "./health.ts"

/**
 * `NodeSocket.makeTls`, but for a socket many fibers write to at once: each
 * write that meets a full buffer waits for one `drain`, so dozens of waiting
 * listeners are normal here, not a leak (Node would warn past 10).
 */
const connectTls = (options: Tls.ConnectionOptions) =>
  NodeSocket.fromDuplex(
    Effect.acquireRelease(
      Effect.callback<Tls.TLSSocket, Socket.SocketError>((resume) => {
        const conn = Tls.connect(options)
        conn.setMaxListeners(0)
        conn.once("secureConnect", () => resume(Effect.succeed(conn)))
        conn.on("error", (cause: Error) =>
          resume(Effect.fail(
            new Socket.SocketError({
              reason: new Socket.SocketOpenError({ kind: "Unknown", cause }),
            }),
          )))
        return Effect.sync(() => conn.destroy())
      }),
      (conn) => Effect.sync(() => conn.closed === false && conn.destroySoon()),
    ),
    { openTimeout: 1000 },
  )

/**
 * Opens connections to runners over TLS, with this member's certificate;
 * the runner's certificate must come from the cluster's CA and name the
 * host it announced.
 */
export const tlsClientProtocol = (
  tls: ClusterCredentials,
): Layer.Layer<Runners.RpcClientProtocol, never, RpcSerialization.RpcSerialization> =>
  Layer.effect(Runners.RpcClientProtocol)(
    Effect.gen(function* () {
      const serialization = yield* RpcSerialization.RpcSerialization
      return {
        codecFor: serialization.codecFor,
        make: Effect.fnUntraced(function* (address) {
          const socket = yield* connectTls({
            host: address.host,
            port: address.port,
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            // Bun's default differs across versions: say it.
            rejectUnauthorized: true,
            timeout: 5500,
          })
          return yield* RpcClient.makeProtocolSocket().pipe(
            Effect.provideService(Socket.Socket, socket),
            Effect.provideService(RpcSerialization.RpcSerialization, serialization),
          )
        }, Effect.orDie),
      }
    }),
  )

/** A runner's server: TLS, a client certificate from the cluster's CA required. */
export const tlsSocketServer = (
  tls: ClusterCredentials,
): Layer.Layer<
  SocketServer.SocketServer,
  SocketServer.SocketServerError,
  ShardingConfig.ShardingConfig
> =>
  Effect.gen(function* () {
    const config = yield* ShardingConfig.ShardingConfig
    const listen = Option.orElse(config.runnerListenAddress, () => config.runnerAddress)
    if (Option.isNone(listen)) return yield* Effect.die("the runner has no listen address")
    const server = yield* NodeSocketServer.makeTls({
      host: listen.value.host,
      port: listen.value.port,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      requestCert: true,
      rejectUnauthorized: true,
    })
    // As connectTls: many replies wait for `drain` on one socket at once.
    return SocketServer.SocketServer.of({
      address: server.address,
      run: (handler) =>
        server.run((socket) =>
          Effect.flatMap(Effect.serviceOption(NodeSocket.NetSocket), (conn) => {
            if (Option.isSome(conn)) conn.value.setMaxListeners(0)
            return handler(socket)
          })
        ),
    })
  }).pipe(Layer.effect(SocketServer.SocketServer))

/**
 * The sharding layer of a member, over mutual TLS and Postgres storage:
 * a runner (`clientOnly: false`, which also checks its peers' health) or a
 * client. Needs the `SqlClient`.
 */
export const clusterLayer = (options: {
  readonly clientOnly: boolean
  /** `"insecure-loopback"`: plain TCP, for the bench's baseline only. */
  readonly tls: ClusterCredentials | "insecure-loopback"
  readonly shardingConfig: Partial<ShardingConfig.ShardingConfig["Service"]>
}): Layer.Layer<
  | Sharding.Sharding
  | Runners.Runners
  | MessageStorage.MessageStorage
  | RunnerStorage.RunnerStorage,
  SocketServer.SocketServerError | Config.ConfigError,
  SqlClient.SqlClient
> => {
  const tls = options.tls
  const protocol = tls === "insecure-loopback"
    ? NodeClusterSocket.layerClientProtocol
    : tlsClientProtocol(tls)
  const server = tls === "insecure-loopback"
    ? NodeClusterSocket.layerSocketServer
    : tlsSocketServer(tls)
  const members: Layer.Layer<
    Sharding.Sharding | Runners.Runners,
    SocketServer.SocketServerError,
    | RpcSerialization.RpcSerialization
    | ShardingConfig.ShardingConfig
    | MessageStorage.MessageStorage
    | RunnerStorage.RunnerStorage
  > = options.clientOnly
    ? Layer.provide(SocketRunner.layerClientOnly, protocol)
    : Layer.provide(SocketRunner.layer, [
      server,
      protocol,
      runnerHealthLayer,
    ])
  return members.pipe(
    Layer.provideMerge(SqlMessageStorage.layer.pipe(Layer.provide(NodeCrypto.layerDigest))),
    // Clients read it too: whether any runner is alive (no-runners.ts).
    Layer.provideMerge(Layer.orDie(SqlRunnerStorage.layer)),
    Layer.provide(ShardingConfig.layerFromEnv(options.shardingConfig)),
    Layer.provide(RpcSerialization.layerSchemaBinary({})),
  )
}
