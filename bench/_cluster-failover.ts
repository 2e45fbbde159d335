/**
 * The failover workload of bench/executor-cluster.bench.ts: a fresh local
 * cluster of two runners (both warm: each has run a task, so each has its
 * worker), a slow task, SIGKILL of the runner running it, and the time until
 * the task starts again on the other runner (it writes a line to a file when
 * it starts). This module declares the tasks, so the runners' workers import
 * it: no top-level side effects.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import { Effect, Fiber } from "effect"
import { workerFunction } from "effect-asyncio/executor"
import { ClusterExecutor } from "effect-asyncio/cluster"

/** Appends this worker's runner (its parent) to `path`, then sleeps `ms`. */
export const traceAndSleep = workerFunction(
  import.meta.url,
  "traceAndSleep",
  async (path: string, ms: number) => {
    appendFileSync(path, `${process.ppid}\n`)
    await new Promise((r) => setTimeout(r, ms))
    return process.ppid
  },
)

/** The runner (the worker's parent) that ran it. */
export const runnerOf = workerFunction(import.meta.url, "runnerOf", () => process.ppid)

const lines = (path: string): Array<string> =>
  existsSync(path) ? readFileSync(path, "utf8").split("\n").slice(0, -1) : []

/** Milliseconds from SIGKILL of the runner running a task to that task running on the other. */
export const failoverOnce = (): Promise<number> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const dir = mkdtempSync(join(tmpdir(), "bench-failover-"))
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    const trace = join(dir, "trace")
    const cluster = yield* Effect.orDie(ClusterExecutor.make({ runners: 2 }))
    const warm = new Set<number>()
    for (let round = 0; round < 50 && warm.size < 2; round++) {
      const batch = yield* Effect.forEach(
        Array.from({ length: 8 }),
        () => cluster.submit(runnerOf),
        {
          concurrency: "unbounded",
        },
      )
      for (const runner of batch) warm.add(runner)
    }
    const slow = yield* Effect.forkChild(cluster.submit(traceAndSleep, trace, 10_000))
    for (let i = 0; i < 2_000 && lines(trace).length === 0; i++) yield* Effect.sleep(5)
    const runner = Number(lines(trace)[0])
    if (!cluster.runnerPids.includes(runner)) return yield* Effect.die(`not a runner: ${runner}`)
    process.kill(runner, "SIGKILL")
    const killed = performance.now()
    for (let i = 0; i < 12_000 && lines(trace).length < 2; i++) yield* Effect.sleep(5)
    const ms = performance.now() - killed
    if (lines(trace).length < 2) return yield* Effect.die("the task did not run again within 60 s")
    yield* Fiber.interrupt(slow)
    return ms
  })))
