// ClusterExecutor against the single-machine default (embedded Postgres, local
// runners): one Deno and one Bun runner, shared by the tests of this file and
// stopped by the last one, which checks that every process it started is gone.
import { test } from "node:test"
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import { Cause, Effect, Exit, Fiber, Scope } from "effect"
import {
  BrokenWorkerError,
  DefaultExecutor,
  defaultExecutorLayer,
  ExecutorShutdownError,
  NotCloneableError,
  runInExecutor,
  setDefaultExecutor,
  TaskError,
  TaskNotFoundError,
} from "effect-asyncio/executor"
import { ClusterExecutor } from "effect-asyncio/cluster"
import { add, addAsync, echo, exit, fail, misnamed, sleep } from "../fixtures/tasks.ts"
import { traceAndSleep, whereAmI } from "../fixtures/cluster-tasks.ts"
import { dataDirsOf, descendants, survivors } from "../fixtures/processes.ts"

const scope = Scope.makeUnsafe()
let started: Promise<ClusterExecutor> | undefined
const cluster = () =>
  started ??= Effect.runPromise(
    Scope.provide(scope)(ClusterExecutor.make({ runners: ["deno", "bun"], poolSize: 1 })),
  )

/** Runs `body` against the shared cluster; a hang is a failure. */
const withCluster = async <A, E>(body: (c: ClusterExecutor) => Effect.Effect<A, E>) => {
  const c = await cluster()
  return Effect.runPromiseExit(
    body(c).pipe(Effect.timeoutOrElse({
      duration: "60 seconds",
      orElse: () => Effect.die(new Error("the test timed out")),
    })),
  )
}

const valueOf = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) assert.fail(Cause.pretty(exit.cause))
  return exit.value
}

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  assert.ok(Exit.isFailure(exit), "expected a failure")
  const error = Cause.findErrorOption(exit.cause)
  assert.ok(error._tag === "Some", `expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return error.value
}

/** Worker processes seen running tasks: the last test checks they are gone too. */
const workers = new Set<number>()

test("cluster: runInExecutor runs tasks on runner processes of both runtimes", async () => {
  const c = await cluster()
  assert.equal(c.runnerPids.length, 2)
  assert.equal(c.kind, "cluster")
  const [sum, later, where] = valueOf(
    await withCluster((c) =>
      Effect.all([
        runInExecutor(c, add, 40, 2),
        runInExecutor(c, addAsync, 3, 4),
        Effect.forEach(Array.from({ length: 32 }), () => c.submit(whereAmI), {
          concurrency: 8,
        }),
      ])
    ),
  )
  assert.equal(sum, 42)
  assert.equal(later, 7)
  for (const w of where) {
    assert.ok(c.runnerPids.includes(w.runner), `ran on ${w.runner}, not a runner`)
    assert.notEqual(w.worker, process.pid)
    workers.add(w.worker)
  }
  // Tasks spread over both runners, a Deno one and a Bun one.
  assert.deepEqual(new Set(where.map((w) => w.runtime)), new Set(["deno", "bun"]))
})

test("cluster: the database password is random and on no command line", async () => {
  const c = await cluster()
  const password = new URL(c.databaseUrl).password
  assert.match(password, /^[0-9a-f]{48}$/)
  // `ps` shows every process's arguments to every user.
  const shown = readdirSync("/proc").filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(password)
    } catch {
      return false
    }
  })
  assert.deepEqual(shown, [])
})

test("cluster: map returns results in order; values survive the trip", async () => {
  const n = 500
  const value = {
    map: new Map([[1, "one"]]),
    set: new Set(["a"]),
    date: new Date(0),
    nested: [{ u: undefined, n: null, big: 10n, nan: NaN, neg: -0 }],
    bytes: new Uint8Array([1, 2, 3]),
  }
  const [sums, back] = valueOf(
    await withCluster((c) =>
      Effect.all([
        c.map(add, Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, () => 1)),
        c.submit(echo, value),
      ])
    ),
  )
  assert.deepEqual(sums, Array.from({ length: n }, (_, i) => i + 1))
  assert.deepEqual(back, value)
})

test("cluster: setDefaultExecutor and defaultExecutorLayer route runInExecutor(null) to it", async () => {
  const c = await cluster()
  const inside = valueOf(
    await withCluster(() => runInExecutor(null, whereAmI).pipe(setDefaultExecutor(c))),
  )
  assert.ok(c.runnerPids.includes(inside.runner))
  // A whole program on the cluster: the layer joins it (by URL) and leaves it when released.
  const viaLayer = valueOf(
    await withCluster(() =>
      Effect.all([Effect.service(DefaultExecutor), runInExecutor(null, whereAmI)]).pipe(
        Effect.provide(
          defaultExecutorLayer(
            ClusterExecutor.make({ databaseUrl: c.databaseUrl, tlsDir: c.tlsDir }),
          ),
        ),
      )
    ),
  )
  assert.equal((viaLayer[0] as ClusterExecutor).databaseUrl, c.databaseUrl)
  assert.ok(c.runnerPids.includes(viaLayer[1].runner))
})

test("cluster: a second executor joins the running cluster by its database URL", async () => {
  const c = await cluster()
  assert.match(c.databaseUrl, /^postgres:\/\/.*@127\.0\.0\.1:\d+\//)
  const where = valueOf(
    await withCluster((c) =>
      Effect.scoped(Effect.gen(function* () {
        const joined = yield* ClusterExecutor.make({ databaseUrl: c.databaseUrl, tlsDir: c.tlsDir })
        assert.deepEqual(joined.runnerPids, [])
        return yield* runInExecutor(joined, whereAmI)
      }))
    ),
  )
  assert.ok(c.runnerPids.includes(where.runner))
})

test("cluster: failures are typed; the remote stack is kept", async () => {
  const thrown = failureOf(await withCluster((c) => runInExecutor(c, fail, "boom")))
  assert.ok(thrown instanceof TaskError)
  assert.equal(thrown.name, "TypeError")
  assert.equal(thrown.message, "boom")
  assert.match(thrown.stack ?? "", /tasks\.ts/)

  const missing = failureOf(await withCluster((c) => c.submit(misnamed)))
  assert.ok(missing instanceof TaskNotFoundError)

  const closure = failureOf(
    await withCluster((c) => c.submit(echo as never, (() => 1) as never)),
  )
  assert.ok(closure instanceof NotCloneableError)
  assert.equal(closure.argument, 0)

  const notAWorkerFunction = failureOf(await withCluster((c) => c.submit((() => 1) as never)))
  assert.ok(notAWorkerFunction instanceof NotCloneableError)

  // A worker that dies takes only its task with it; the runner replaces it.
  const died = failureOf(await withCluster((c) => c.submit(exit, 3)))
  assert.ok(died instanceof BrokenWorkerError)
  assert.equal(valueOf(await withCluster((c) => c.submit(add, 1, 1))), 2)

  const mapFailed = failureOf(await withCluster((c) => c.map(fail, ["a", "b"])))
  assert.ok(mapFailed instanceof TaskError)
})

test("cluster: interrupting the caller terminates the worker running the task", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cluster-cancel-"))
  const trace = join(dir, "trace")
  try {
    const c = await cluster()
    // Submitted in the same tick, the two tasks travel in one message: cancelling one spares the other.
    const fiber = Effect.runFork(runInExecutor(c, traceAndSleep, trace, 120_000))
    const sibling = Effect.runFork(runInExecutor(c, sleep, 1_500, 7))
    const end = Date.now() + 60_000
    // The trace is complete once its line ends: a read between create and write sees less.
    while (
      (!existsSync(trace) || !readFileSync(trace, "utf8").endsWith("\n")) && Date.now() < end
    ) {
      await new Promise((r) => setTimeout(r, 50))
    }
    const [runner, worker] = readFileSync(trace, "utf8").trim().split(" ").map(Number)
    assert.ok(c.runnerPids.includes(runner))
    const exit = await Effect.runPromise(
      Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber))),
    )
    assert.ok(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
    assert.deepEqual(await survivors([worker]), [], `worker ${worker} still runs the task`)
    assert.equal(valueOf(await Effect.runPromise(Fiber.await(sibling))), 7)
    // The runner lives on and takes new work.
    assert.deepEqual(await survivors([runner], 0), [runner])
    assert.equal(valueOf(await withCluster((c) => c.submit(add, 2, 2))), 4)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("cluster: shutdown refuses new tasks; closing the scope stops every process it started", async () => {
  const c = await cluster()
  const started = [...descendants(process.pid), ...c.runnerPids, ...workers]
  assert.ok(started.length >= 4, `expected Postgres and the runners, got ${started}`)
  await Effect.runPromise(c.shutdown())
  const refused = failureOf(await withCluster((c) => c.submit(add, 1, 1)))
  assert.ok(refused instanceof ExecutorShutdownError)
  assert.equal(dataDirsOf(started).length, 1, "the embedded Postgres data directory")
  await Effect.runPromise(Scope.close(scope, Exit.void))
  assert.deepEqual(await survivors(started), [])
  assert.deepEqual(dataDirsOf(started), [])
})
