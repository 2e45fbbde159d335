// ClusterExecutor when things go wrong: the cluster cannot be reached, a runner
// is killed mid-task, the program itself is killed.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import { Cause, Context, Effect, Exit, Fiber, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { PgClient } from "@effect/sql-pg"
import { ClusterDeliveryError, runInExecutor } from "effect-asyncio/executor"
import { ClusterExecutor, ClusterUnavailableError } from "effect-asyncio/cluster"
import { add } from "../fixtures/tasks.ts"
import { traceAndSleep } from "../fixtures/cluster-tasks.ts"
import { dataDirsOf, descendants, survivors, tlsDirsOf } from "../fixtures/processes.ts"
import { fromRoot } from "../../scripts/support.ts"
import { writeCluster } from "../../lib/cluster/certs.ts"

/** How long a task may take to finish on another runner after its runner died (README). */
const FAILOVER_BOUND_MS = 60_000

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  assert.ok(Exit.isFailure(exit), "expected a failure")
  const error = Cause.findErrorOption(exit.cause)
  assert.ok(error._tag === "Some", `expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return error.value
}

/** A port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })

const joinWithin = <A, E>(effect: Effect.Effect<A, E>, ms: number) =>
  Effect.runPromiseExit(effect.pipe(Effect.timeoutOrElse({
    duration: ms,
    orElse: () => Effect.die(new Error(`no answer within ${ms} ms: it hangs`)),
  })))

test("cluster: an unreachable database fails make with ClusterUnavailableError, no hang", async () => {
  // Nothing listens: refused at once.
  const port = await closedPort()
  // A server that accepts and never answers: only the connect timeout ends the wait.
  const silent = createServer(() => {}).listen(0, "127.0.0.1")
  await new Promise((r) => silent.once("listening", r))
  const silentPort = (silent.address() as { port: number }).port
  // Credentials of a cluster of its own: the database is what is missing.
  const tls = mkdtempSync(join(tmpdir(), "cluster-tls-"))
  writeCluster(tls, ["client"])
  try {
    for (const p of [port, silentPort]) {
      const exit = await joinWithin(
        Effect.scoped(ClusterExecutor.make({
          databaseUrl: `postgres://postgres:x@127.0.0.1:${p}/postgres`,
          tlsDir: join(tls, "client"),
          connectTimeoutMs: 1_000,
        })),
        30_000,
      )
      const error = failureOf(exit)
      assert.ok(error instanceof ClusterUnavailableError, String(error))
    }
  } finally {
    silent.close()
    rmSync(tls, { recursive: true, force: true })
  }
})

test("cluster: a runner killed mid-task: the task runs again on another runner, the rest completes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cluster-failover-"))
  const trace = join(dir, "trace")
  const seen: Array<number> = []
  try {
    const exit = await joinWithin(
      Effect.scoped(Effect.gen(function* () {
        const cluster = yield* ClusterExecutor.make({ runners: ["deno", "bun"] })
        seen.push(...descendants(process.pid))
        const slow = yield* Effect.forkChild(runInExecutor(cluster, traceAndSleep, trace, 2_000))
        // A whole line: a half-written one would read as pid 0 (the whole process group).
        while (!existsSync(trace) || !readFileSync(trace, "utf8").endsWith("\n")) {
          yield* Effect.sleep(50)
        }
        const [runner, worker] = readFileSync(trace, "utf8").trim().split(" ").map(Number)
        seen.push(worker)
        process.kill(runner, "SIGKILL")
        const killedAt = Date.now()
        const rest = yield* Effect.forkChild(
          cluster.map(
            add,
            Array.from({ length: 64 }, (_, i) => i),
            Array.from({ length: 64 }, () => 1),
          ),
        )
        const result = yield* Fiber.join(slow)
        const failoverMs = Date.now() - killedAt
        const sums = yield* Fiber.join(rest)
        // The killed runner's worker died with it.
        assert.deepEqual(yield* Effect.promise(() => survivors([runner, worker])), [])
        // The survivor saw its port refuse and marked it dead (health.ts), rather than
        // waiting for its heartbeat to expire (which leaves the row healthy).
        const sql = Context.get(
          yield* Layer.build(PgClient.layer({ url: Redacted.make(cluster.databaseUrl) })),
          SqlClient.SqlClient,
        )
        const health = yield* sql<{ healthy: boolean }>`SELECT healthy FROM cluster_runners`
        return {
          runner,
          result,
          failoverMs,
          sums,
          runners: cluster.runnerPids,
          health: health.map((r) => r.healthy).sort(),
        }
      })),
      FAILOVER_BOUND_MS + 60_000,
    )
    if (Exit.isFailure(exit)) assert.fail(Cause.pretty(exit.cause))
    const { runner, result, failoverMs, sums, runners, health } = exit.value
    assert.deepEqual(health, [false, true])
    assert.notEqual(result.runner, runner)
    assert.ok(runners.includes(result.runner))
    // At least once: it started twice, the second time on the runner that answered.
    const starts = readFileSync(trace, "utf8").trim().split("\n").map((l) =>
      Number(l.split(" ")[0])
    )
    assert.deepEqual([starts[0], starts.at(-1)], [runner, result.runner])
    assert.ok(failoverMs < FAILOVER_BOUND_MS, `failover took ${failoverMs} ms`)
    assert.deepEqual(sums, Array.from({ length: 64 }, (_, i) => i + 1))
    console.log(`failover: the task finished ${failoverMs} ms after its runner was killed`)
    assert.deepEqual(await survivors(seen), [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("cluster: with every runner gone, tasks in flight fail after noRunnersTimeoutMs, no hang", async () => {
  const exit = await joinWithin(
    Effect.scoped(Effect.gen(function* () {
      const cluster = yield* ClusterExecutor.make({ runners: 1, noRunnersTimeoutMs: 1_000 })
      assert.equal(yield* runInExecutor(cluster, add, 1, 1), 2)
      process.kill(cluster.runnerPids[0], "SIGKILL")
      return yield* Effect.all([
        Effect.flip(runInExecutor(cluster, add, 2, 2)),
        Effect.flip(cluster.map(add, [1, 2], [3, 4])),
      ], { concurrency: "unbounded" })
    })),
    60_000,
  )
  if (Exit.isFailure(exit)) assert.fail(Cause.pretty(exit.cause))
  for (const error of exit.value) {
    assert.ok(error instanceof ClusterDeliveryError, String(error))
    assert.equal(error.clusterError, "NoRunners")
    assert.match(error.message, /no runner of the cluster was alive for 1000 ms/)
  }
})

test("cluster: a program killed with SIGKILL leaves no runner, worker, database or secret behind", async () => {
  const child = spawn(
    process.execPath,
    [
      ...(typeof (globalThis as { Deno?: unknown }).Deno !== "undefined" ? ["run", "-A"] : []),
      fromRoot("tests/fixtures/cluster-exit.ts"),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  )
  const up = await new Promise<boolean>((resolve) => {
    let out = ""
    const timer = setTimeout(() => resolve(false), 90_000)
    child.stdout!.on("data", (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk)
      if (out.includes("up\n")) {
        clearTimeout(timer)
        resolve(true)
      }
    })
    child.on("exit", () => resolve(false))
  })
  const started = descendants(child.pid!)
  const secrets = tlsDirsOf([child.pid!])
  child.kill("SIGKILL")
  assert.ok(up, "the cluster did not start")
  // Postgres, its supervisor, two runners and their workers.
  assert.ok(started.length >= 5, `expected the cluster's processes, got ${started}`)
  assert.equal(dataDirsOf(started).length, 1, "the embedded Postgres data directory")
  assert.deepEqual(await survivors(started), [])
  assert.deepEqual(dataDirsOf(started), [])
  // Its throwaway certificates and secret: there while it ran, gone with it.
  assert.equal(secrets.length, 1, "the local cluster's TLS directory")
  assert.deepEqual(tlsDirsOf([child.pid!]), [])
})
