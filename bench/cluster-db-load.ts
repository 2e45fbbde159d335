/**
 * What a task cluster asks of its Postgres, measured: transactions per
 * second (`xact_commit + xact_rollback` of `pg_stat_database`) of a local
 * cluster at 2, 4 and 8 runners, idle and under tasks, with the settings of
 * lib/cluster/config.ts (lock refresh, assignment refresh, health checks).
 * The README's cluster section plans 100 runners from these figures.
 *
 * Run it:  deno run -A bench/cluster-db-load.ts   |   bun bench/cluster-db-load.ts
 * It writes bench/results/cluster-db-load-<runtime>.md (a table) and prints it.
 */
import { writeFileSync } from "node:fs"
import { Context, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { PgClient } from "@effect/sql-pg"
import { runtime } from "../lib/internal/runtime.ts"
import { ClusterExecutor } from "effect-asyncio/cluster"
import { add, loadAverage, range } from "./_executor.ts"
import { SHARD_LOCK_EXPIRATION_MS } from "../lib/cluster.ts"
import { sharding } from "../lib/cluster/config.ts"

const IDLE_MS = 10_000
const SEQUENTIAL = 500
const MAPPED = 10_000

interface Row {
  readonly runners: number
  readonly idlePerS: number
  readonly idlePerRunnerPerS: number
  readonly perSequentialTask: number
  readonly perMappedTask: number
}

const measure = (runners: number): Promise<Row> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const cluster = yield* Effect.orDie(ClusterExecutor.make({ runners }))
    const sql = Context.get(
      yield* Layer.build(
        PgClient.layer({ url: Redacted.make(cluster.databaseUrl), maxConnections: 1 }),
      ),
      SqlClient.SqlClient,
    )
    // Transactions so far, and the time; our own query counts one, taken off below.
    const count = Effect.map(
      sql<{ n: string }>`SELECT sum(xact_commit + xact_rollback) AS n FROM pg_stat_database`,
      (rows) => [Number(rows[0].n), performance.now()] as const,
    )
    const between = (a: readonly [number, number], b: readonly [number, number]) => ({
      tx: b[0] - a[0] - 1,
      s: (b[1] - a[1]) / 1000,
    })
    // Warm: every entity id exists on its runner, every runner has its worker.
    yield* cluster.map(add, range(2_000), range(2_000).fill(1))
    yield* Effect.sleep(2_000)
    // pg_stat_database is updated when a backend reports (at most once a second, and at idle).
    const t0 = yield* count
    yield* Effect.sleep(IDLE_MS)
    const t1 = yield* count
    const idle = between(t0, t1)
    const idlePerS = idle.tx / idle.s

    const load = (n: number, run: Effect.Effect<unknown, unknown>) =>
      Effect.gen(function* () {
        yield* Effect.sleep(1_500)
        const a = yield* count
        yield* Effect.orDie(run)
        yield* Effect.sleep(1_500)
        const b = yield* count
        const { tx, s } = between(a, b)
        return Math.max(0, tx - idlePerS * s) / n
      })
    const perSequentialTask = yield* load(
      SEQUENTIAL,
      Effect.forEach(range(SEQUENTIAL), (i) => cluster.submit(add, i, 1), { discard: true }),
    )
    const perMappedTask = yield* load(
      MAPPED,
      cluster.map(add, range(MAPPED), range(MAPPED).fill(1)),
    )
    return {
      runners,
      idlePerS,
      idlePerRunnerPerS: idlePerS / runners,
      perSequentialTask,
      perMappedTask,
    }
  })))

if (import.meta.main) {
  const rows: Array<Row> = []
  const loads: Array<string> = []
  for (const runners of [2, 4, 8]) {
    loads.push(await loadAverage())
    rows.push(await measure(runners))
    console.log(JSON.stringify(rows.at(-1)))
  }
  const f = (n: number, d = 1) => n.toFixed(d)
  const table = [
    `# Cluster database load (${runtime.name})`,
    "",
    `Written by \`bench/cluster-db-load.ts\` on ${runtime.name}, ${new Date().toISOString()}.`,
    `Settings (lib/cluster/config.ts): lock expiry ${SHARD_LOCK_EXPIRATION_MS} ms, lock refresh ${
      String(sharding.shardLockRefreshInterval)
    }, assignments refresh ${String(sharding.refreshAssignmentsInterval)}, health checks ${
      String(sharding.runnerHealthCheckInterval)
    }, ${sharding.shardsPerGroup} shards. Idle: ${
      IDLE_MS / 1000
    } s with no task; per task: ${SEQUENTIAL} sequential \`submit\`s (one message each), and one \`map\` of ${MAPPED} (slices of up to 512), less the idle rate. Load average before each: ${
      loads.join(" / ")
    }.`,
    "",
    "| runners | idle tx/s | idle tx/s per runner | tx per task (one message each) | tx per task (map) |",
    "| ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) =>
      `| ${r.runners} | ${f(r.idlePerS)} | ${f(r.idlePerRunnerPerS)} | ${
        f(r.perSequentialTask, 2)
      } | ${f(r.perMappedTask, 4)} |`
    ),
    "",
  ].join("\n")
  const out = new URL(`./results/cluster-db-load-${runtime.name}.md`, import.meta.url)
  writeFileSync(out, table)
  console.log(table)
}
