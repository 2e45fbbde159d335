/**
 * How a task cluster tells a dead runner from a live one, fast. Internal to
 * `effect-asyncio/cluster`.
 *
 * Effect's default (`RunnerHealth.layerPing`) pings a runner up to six
 * times, 500 ms apart, from one runner (a singleton, which dies with its
 * runner); otherwise a dead runner leaves only when its heartbeat expires.
 * Here a runner is alive while its port accepts a TCP connection: a killed
 * runner's port refuses at once (its machine's kernel answers), a cut link or
 * a dead machine times out. A busy runner still accepts (the kernel
 * completes the handshake), so load never makes a live runner look dead.
 *
 * And every runner watches the others, not only the one holding the
 * singleton: each `runnerHealthCheckInterval` it reads the members from
 * storage and marks a member whose port refuses as unhealthy, so its shards
 * move to the living at once (their Postgres advisory locks went with the
 * dead runner's connection).
 *
 * @module
 */
import { connect } from "node:net"
import { Duration, Effect, Layer, Option } from "effect"
import { type RunnerAddress, RunnerHealth, RunnerStorage, ShardingConfig } from "effect/cluster"

type Address = RunnerAddress.RunnerAddress

/** How long a connection attempt may take before the runner counts as unreachable (ms). */
export const PROBE_TIMEOUT_MS = 1_000

/** Errors that mean nobody listens there (or it cannot be reached) — no need to wait. */
const DEAD = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN"])

/** One TCP connection attempt: "up", "down" (refused, unreachable) or "silent" (timed out). */
const attempt = (address: Address, timeoutMs: number) =>
  Effect.callback<"up" | "down" | "silent">((resume) => {
    let done = false
    const socket = connect({ host: address.host, port: address.port })
    const settle = (result: "up" | "down" | "silent") => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resume(Effect.succeed(result))
    }
    const timer = setTimeout(() => settle("silent"), timeoutMs)
    socket.once("connect", () => settle("up"))
    socket.once(
      "error",
      (e: NodeJS.ErrnoException) => settle(DEAD.has(e.code ?? "") ? "down" : "silent"),
    )
    return Effect.sync(() => settle("silent"))
  })

/**
 * Whether the runner at `address` accepts connections: refused is dead at
 * once; silence is dead after two attempts of `timeoutMs` each.
 */
export const isListening = (
  address: Address,
  timeoutMs = PROBE_TIMEOUT_MS,
): Effect.Effect<boolean> =>
  Effect.flatMap(
    attempt(address, timeoutMs),
    (first) =>
      first === "silent"
        ? Effect.map(attempt(address, timeoutMs), (second) => second === "up")
        : Effect.succeed(first === "up"),
  )

/** Marks every other member whose port refuses as unhealthy (one pass). */
const watchOnce = (storage: RunnerStorage.RunnerStorage["Service"], self: string | undefined) =>
  Effect.gen(function* () {
    const runners = yield* storage.getRunners
    yield* Effect.forEach(
      runners.filter(([runner, healthy]) => healthy && runner.address.toString() !== self),
      ([runner]) =>
        Effect.flatMap(
          isListening(runner.address),
          (alive) => alive ? Effect.void : storage.setRunnerHealth(runner.address, false),
        ),
      { concurrency: 16, discard: true },
    )
  })

/**
 * The runner's `RunnerHealth`: {@link isListening}, plus its own watch of
 * the other members (see the module comment), for the layer's lifetime.
 */
export const runnerHealthLayer: Layer.Layer<
  RunnerHealth.RunnerHealth,
  never,
  RunnerStorage.RunnerStorage | ShardingConfig.ShardingConfig
> = Layer.effect(RunnerHealth.RunnerHealth)(
  Effect.gen(function* () {
    const storage = yield* RunnerStorage.RunnerStorage
    const config = yield* ShardingConfig.ShardingConfig
    const self = Option.getOrUndefined(Option.map(config.runnerAddress, (a) => a.toString()))
    const every = Duration.toMillis(Duration.fromInputUnsafe(config.runnerHealthCheckInterval))
    yield* watchOnce(storage, self).pipe(
      // Storage may be briefly unreachable: the next pass tries again.
      Effect.ignore,
      Effect.andThen(Effect.sleep(every)),
      Effect.forever,
      Effect.forkScoped,
    )
    return RunnerHealth.RunnerHealth.of({ isAlive: (address) => isListening(address) })
  }),
)
