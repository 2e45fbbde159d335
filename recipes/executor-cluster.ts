/**
 * When one machine is not enough — `loop.run_in_executor(executor, func, a, b)`
 * with the executor of a distributed engine (Dask's `client.get_executor()`),
 * here on Effect Cluster.
 *
 * The call is the same as with a local pool; only the executor changes. A
 * `ClusterExecutor` sends each task (its module, export name and arguments)
 * to a runner process, which runs it in its own process pool. By default it
 * starts a throwaway Postgres and two local runners, a Deno one and a Bun
 * one, with throwaway certificates, and stops them all at the end. With
 * `EFFECT_ASYNCIO_CLUSTER_DATABASE_URL` and `EFFECT_ASYNCIO_CLUSTER_TLS_DIR`
 * set, it joins an existing cluster, whose runners were started with
 * `deno run -A lib/cluster/runner.ts --tls-dir … --host … --allow-module …`
 * (or `bun lib/cluster/runner.ts …`) on any machine. What to notice:
 *
 * - Each task runs in a worker process whose parent is a runner: the pid
 *   printed is the runner's, and the tasks spread over both runners.
 * - The task's module must resolve on every runner, and be in its
 *   allow-list: here a file of this project, fine for local runners; on
 *   other machines, a package they have and allow.
 *
 * Run it:  deno run --allow-read --allow-write --allow-net --allow-env --allow-run --allow-sys recipes/executor-cluster.ts
 *          bun recipes/executor-cluster.ts
 *
 * Output (pids and order vary):
 *   Hello, world!
 *   task 0 ran on runner 48211 (deno)
 *   task 1 ran on runner 48212 (bun)
 *   task 2 ran on runner 48211 (deno)
 *   task 3 ran on runner 48212 (bun)
 */
import process from "node:process"
import { Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"
import { runInExecutor, workerFunction } from "effect-asyncio/executor"
import { ClusterExecutor } from "effect-asyncio/cluster"

export const func = workerFunction(import.meta.url, "func", (a: string, b: string) => a + b)

/** Which runner ran task `i`: the worker's parent process, and its runtime. */
export const whereAmI = workerFunction(import.meta.url, "whereAmI", (i: number) => ({
  i,
  runner: process.ppid,
  runtime: typeof (globalThis as { Deno?: unknown }).Deno !== "undefined" ? "deno" : "bun",
}))

export const main = (databaseUrl?: string) =>
  Effect.gen(function* () {
    const executor = yield* ClusterExecutor.make(
      databaseUrl === undefined ? { runners: ["deno", "bun"] } : { databaseUrl },
    )
    yield* Console.log(yield* runInExecutor(executor, func, "Hello,", " world!"))

    const where = yield* Effect.forEach(
      [0, 1, 2, 3],
      (i) => runInExecutor(executor, whereAmI, i),
      { concurrency: "unbounded" },
    )
    for (const { i, runner, runtime } of where) {
      yield* Console.log(`task ${i} ran on runner ${runner} (${runtime})`)
    }
  }).pipe(Effect.scoped)

// The URL may hold a password: it comes from the environment, never the command line.
if (import.meta.main) run(main(process.env.EFFECT_ASYNCIO_CLUSTER_DATABASE_URL))
