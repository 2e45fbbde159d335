import { test } from "node:test"
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Cause, Effect, Exit, Fiber } from "effect"
import process from "node:process"
import {
  BrokenWorkerError,
  DefaultExecutor,
  defaultExecutorLayer,
  ExecutorShutdownError,
  NotCloneableError,
  ProcessPoolExecutor,
  runInExecutor,
  setDefaultExecutor,
  TaskError,
  TaskNotFoundError,
  workerFunction,
} from "effect-asyncio/executor"
import {
  add,
  addAsync,
  chaos,
  echo,
  exit,
  fail,
  misnamed,
  returnClosure,
  sleep,
  spin,
  throwValue,
  touch,
  whoAmI,
} from "../fixtures/tasks.ts"
import { never } from "../fixtures/tasks-import-throws.ts"
import { failureOf, kinds, range, withPool } from "./_executor.ts"
import { fromRoot, runScript } from "../../scripts/support.ts"
import { survivors } from "../fixtures/processes.ts"

/**
 * Removes a test's directory. A worker the pool terminated may still be
 * finishing a write when its exit event arrives (Deno terminates threads
 * asynchronously), and rmSync then fails with ENOTEMPTY: try again briefly.
 */
const removeDir = async (dir: string): Promise<void> => {
  for (let attempt = 0;; attempt++) {
    try {
      return rmSync(dir, { recursive: true, force: true })
    } catch (error) {
      if (attempt >= 20 || (error as { code?: string }).code !== "ENOTEMPTY") throw error
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

for (const kind of kinds) {
  test(`executor (${kind}): submit runs sync and async tasks on a worker and returns their results`, async () => {
    const [sum, later, where] = await withPool(kind, { maxWorkers: 1 }, (pool) =>
      Effect.all([
        pool.submit(add, 1, 2),
        pool.submit(addAsync, 3, 4),
        pool.submit(whoAmI),
      ]))
    assert.equal(sum, 3)
    assert.equal(later, 7)
    const [pid, threadId] = where.split(":").map(Number)
    if (kind === "thread") assert.notEqual(threadId, 0)
    else assert.notEqual(pid, process.pid)
  })

  test(`executor (${kind}): structured-cloneable values survive the trip`, async () => {
    const value = {
      map: new Map([[1, "one"]]),
      set: new Set(["a"]),
      date: new Date(0),
      nested: [{ u: undefined, n: null, big: 10n }],
      bytes: new Uint8Array([1, 2, 3]),
    }
    const back = await withPool(kind, { maxWorkers: 1 }, (pool) => pool.submit(echo, value))
    assert.deepEqual(back, value)
  })

  test(`executor (${kind}): an exception in the task is a TaskError with the remote name, message and stack`, async () => {
    const exit = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) => Effect.exit(pool.submit(fail, "boom")),
    )
    const error = failureOf(exit)
    assert.ok(error instanceof TaskError)
    assert.equal(error.name, "TypeError")
    assert.equal(error.message, "boom")
    assert.equal(error.task, "tasks.ts#fail")
    assert.match(error.stack ?? "", /tasks\.ts/)
  })

  test(`executor (${kind}): a thrown non-Error value is kept`, async () => {
    const exit = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) => Effect.exit(pool.submit(throwValue, { code: 42 })),
    )
    const error = failureOf(exit)
    assert.ok(error instanceof TaskError)
    assert.deepEqual(error.value, { code: 42 })
  })

  test(`executor (${kind}): a non-cloneable argument fails at once, naming the argument`, async () => {
    class Greeter {
      greet() {
        return "hi"
      }
    }
    const greeter = new Greeter()
    const [closure, method, sum] = await withPool(kind, { maxWorkers: 1 }, (pool) =>
      Effect.all([
        Effect.exit(pool.submit(echo, () => 1)),
        Effect.exit(pool.submit(echo, greeter.greet)),
        // A bad argument fails its task only.
        pool.submit(add, 2, 2),
      ], { concurrency: "unbounded" }))
    for (const exit of [closure, method]) {
      const error = failureOf(exit)
      assert.ok(error instanceof NotCloneableError)
      assert.equal(error.argument, 0)
      assert.match(error.message, /argument 0 of tasks\.ts#echo: .*function/)
    }
    assert.equal(sum, 4)
  })

  test(`executor (${kind}): a result that cannot be cloned is a NotCloneableError for "result"`, async () => {
    const exit = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) => Effect.exit(pool.submit(returnClosure)),
    )
    const error = failureOf(exit)
    assert.ok(error instanceof NotCloneableError)
    assert.equal(error.argument, "result")
  })

  test(`executor (${kind}): a task whose name is not exported is a TaskNotFoundError`, async () => {
    const exit = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) => Effect.exit(pool.submit(misnamed)),
    )
    const error = failureOf(exit)
    assert.ok(error instanceof TaskNotFoundError)
    assert.match(error.message, /no exported function "noSuchExport"/)
  })

  test(`executor (${kind}): a module that throws at import is a BrokenWorkerError; the pool goes on`, async () => {
    const [broken, sum, stats] = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) =>
        Effect.gen(function* () {
          const broken = yield* Effect.exit(pool.submit(never))
          const sum = yield* pool.submit(add, 1, 1)
          return [broken, sum, yield* pool.stats] as const
        }),
    )
    const error = failureOf(broken)
    assert.ok(error instanceof BrokenWorkerError)
    assert.equal(error.reason, "import")
    assert.match(error.message, /refuses to load in a worker/)
    assert.equal(sum, 2)
    // The worker that imported the broken module was retired and replaced.
    assert.equal(stats.spawned, 2)
  })

  test(`executor (${kind}): a worker that exits mid-task fails that task only; the pool replaces it`, async () => {
    const [outcomes, stats] = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) =>
        Effect.gen(function* () {
          // One deep queue: the worker gets the exiting task in the middle of a batch.
          const outcomes = yield* Effect.forEach(
            range(61),
            (i) => Effect.exit(i === 30 ? pool.submit(exit, 7) : pool.submit(add, i, 1)),
            { concurrency: "unbounded" },
          )
          return [outcomes, yield* pool.stats] as const
        }),
    )
    const error = failureOf(outcomes[30])
    assert.ok(error instanceof BrokenWorkerError)
    assert.equal(error.reason, "exit")
    assert.equal(error.exitCode, 7)
    // The tasks before it had finished, the ones after it had not started: all complete.
    outcomes.forEach((outcome, i) => {
      if (i !== 30) assert.deepEqual(outcome, Exit.succeed(i + 1), `task ${i}`)
    })
    assert.equal(stats.crashed, 1)
    assert.equal(stats.spawned, 2)
  })

  test(`executor (${kind}): interrupting a queued task removes it from the queue`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "executor-"))
    const marker = join(dir, "queued-task-ran")
    try {
      const stats = await withPool(kind, { maxWorkers: 1 }, (pool) =>
        Effect.gen(function* () {
          const busy = yield* Effect.forkChild(pool.submit(sleep, 300, 1))
          const queued = yield* Effect.forkChild(pool.submit(touch, marker))
          yield* Effect.sleep("50 millis")
          assert.equal((yield* pool.stats).queued, 1)
          yield* Fiber.interrupt(queued)
          const afterInterrupt = yield* pool.stats
          assert.equal(yield* Fiber.join(busy), 1)
          return afterInterrupt
        }))
      assert.equal(stats.queued, 0)
      assert.equal(existsSync(marker), false, "the interrupted task ran")
    } finally {
      await removeDir(dir)
    }
  })

  test(`executor (${kind}): interrupting a running task terminates its worker, which is replaced`, async () => {
    const [stats, sum] = await withPool(kind, { maxWorkers: 1 }, (pool) =>
      Effect.gen(function* () {
        // A started worker with the task module loaded, so the spin below starts at once.
        yield* pool.submit(add, 0, 0)
        const running = yield* Effect.forkChild(pool.submit(spin, 60_000))
        // Let it start on the worker (one not started yet would just be skipped).
        yield* Effect.sleep("300 millis")
        yield* Fiber.interrupt(running)
        // Were the worker still spinning, this would wait a minute: the timeout fails the test.
        const sum = yield* pool.submit(add, 2, 3).pipe(Effect.timeout("10 seconds"))
        return [yield* pool.stats, sum] as const
      }))
    assert.equal(sum, 5)
    assert.equal(stats.spawned, 2)
  })

  test(`executor (${kind}): interrupting tasks already handed to a worker in a batch runs none of them`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "executor-"))
    try {
      const sums = await withPool(kind, { maxWorkers: 1 }, (pool) =>
        Effect.gen(function* () {
          // A deep queue: the worker gets its tasks in batches.
          const busy = yield* Effect.forkChild(
            Effect.forEach(Array.from({ length: 200 }, (_, i) => i), () => pool.submit(spin, 2), {
              concurrency: "unbounded",
            }),
          )
          const touches = yield* Effect.forkChild(
            Effect.forEach(
              Array.from({ length: 20 }, (_, i) => join(dir, `t${i}`)),
              (path) => pool.submit(touch, path),
              { concurrency: "unbounded" },
            ),
          )
          yield* Effect.sleep("20 millis")
          yield* Fiber.interrupt(touches)
          yield* Fiber.join(busy)
          return yield* pool.submit(add, 1, 1)
        }))
      assert.equal(sums, 2)
      const ran = Array.from({ length: 20 }, (_, i) => existsSync(join(dir, `t${i}`)))
      assert.deepEqual(ran, Array(20).fill(false))
    } finally {
      await removeDir(dir)
    }
  })

  test(`executor (${kind}): shutdown() waits for submitted tasks; later submits fail`, async () => {
    const [result, after] = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) =>
        Effect.gen(function* () {
          const pending = yield* Effect.forkChild(pool.submit(sleep, 200, 9))
          yield* Effect.sleep("20 millis")
          yield* pool.shutdown()
          // Shutdown returned: the task is done and the workers are gone.
          assert.equal((yield* pool.stats).workers, 0)
          const result = yield* Fiber.join(pending)
          return [result, yield* Effect.exit(pool.submit(add, 1, 1))] as const
        }),
    )
    assert.equal(result, 9)
    const error = failureOf(after)
    assert.ok(error instanceof ExecutorShutdownError)
  })

  test(`executor (${kind}): shutdown({ cancelFutures: true }) cancels queued tasks, finishes running ones`, async () => {
    const [running, queued] = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) =>
        Effect.gen(function* () {
          const running = yield* Effect.forkChild(pool.submit(sleep, 200, 1))
          const queued = yield* Effect.forkChild(pool.submit(sleep, 200, 2))
          yield* Effect.sleep("50 millis")
          yield* pool.shutdown({ cancelFutures: true })
          return [yield* Fiber.await(running), yield* Fiber.await(queued)] as const
        }),
    )
    assert.deepEqual(running, Exit.succeed(1))
    assert.ok(Exit.isFailure(queued) && Cause.hasInterruptsOnly(queued.cause))
  })

  test(`executor (${kind}): shutdown({ wait: false }) returns at once; running tasks still finish`, async () => {
    const [returnedWhileRunning, result] = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) =>
        Effect.gen(function* () {
          const running = yield* Effect.forkChild(pool.submit(sleep, 300, 5))
          yield* Effect.sleep("50 millis")
          yield* pool.shutdown({ wait: false })
          const returnedWhileRunning = (yield* pool.stats).running === 1
          return [returnedWhileRunning, yield* Fiber.join(running)] as const
        }),
    )
    assert.equal(returnedWhileRunning, true)
    assert.equal(result, 5)
  })

  test(`executor (${kind}): 1 000 mixed tasks on 2 workers with failures and exits lose no result`, async () => {
    const n = 1_000
    // Every 200th task exits its worker; every 7th (from 3) throws.
    const exitEvery = 200
    const outcomes = await withPool(kind, { maxWorkers: 2 }, (pool) =>
      Effect.forEach(
        Array.from({ length: n }, (_, i) => i),
        (i) => Effect.exit(pool.submit(chaos, i, exitEvery)),
        { concurrency: "unbounded" },
      ))
    assert.equal(outcomes.length, n)
    outcomes.forEach((outcome, i) => {
      if (i % exitEvery === exitEvery - 1) {
        const error = failureOf(outcome)
        assert.ok(error instanceof BrokenWorkerError, `task ${i}: ${String(error)}`)
      } else if (i % 7 === 3) {
        const error = failureOf(outcome)
        assert.ok(error instanceof TaskError, `task ${i}: ${String(error)}`)
        assert.equal(error.message, `task ${i} failed`)
      } else {
        assert.deepEqual(outcome, Exit.succeed(i * 2), `task ${i}`)
      }
    })
  })

  test(`executor (${kind}): map returns results in input order`, async () => {
    const sums = await withPool(
      kind,
      { maxWorkers: 2 },
      (pool) => pool.map(addAsync, [1, 2, 3, 4], [10, 20, 30, 40], [40, 30, 20, 10]),
    )
    assert.deepEqual(sums, [11, 22, 33, 44])
  })

  test(`executor (${kind}): workers start lazily and are reused`, async () => {
    const [before, after] = await withPool(
      kind,
      { maxWorkers: 4 },
      (pool) =>
        Effect.gen(function* () {
          const before = yield* pool.stats
          for (let i = 0; i < 20; i++) yield* pool.submit(add, i, i)
          return [before, yield* pool.stats] as const
        }),
    )
    assert.equal(before.spawned, 0)
    // One task at a time needs one worker.
    assert.equal(after.spawned, 1)
  })

  test(`executor (${kind}): a program that never calls shutdown exits when its scope closes`, async () => {
    for (const mode of [`${kind}-scope`, `leak-${kind}`]) {
      const run = await runScript(fromRoot("tests/fixtures/executor-exit.ts"), [mode], {
        timeoutMs: 15_000,
      })
      assert.equal(run.code, 0, run.stderr)
      assert.equal(run.lines[0], mode.startsWith("leak") ? "3" : "[ 2, 3, 4, 5 ]", mode)
      if (mode === "leak-process") {
        // The child process did not outlive its parent.
        const pid = Number(run.lines[1].split(":")[0])
        assert.deepEqual(await survivors([pid], 5_000), [], `worker process ${pid} is still alive`)
      }
    }
  })
}

test("executor: maxQueue bounds the queue; submitters wait for room", async () => {
  const stats = await withPool(
    "thread",
    { maxWorkers: 1, maxQueue: 2 },
    (pool) =>
      Effect.gen(function* () {
        const fibers = yield* Effect.forEach(
          [1, 2, 3, 4, 5, 6],
          (i) => Effect.forkChild(pool.submit(sleep, 50, i)),
        )
        yield* Effect.sleep("20 millis")
        const stats = yield* pool.stats
        assert.deepEqual(yield* Fiber.joinAll(fibers), [1, 2, 3, 4, 5, 6])
        return stats
      }),
  )
  // One running, two queued, three waiting for room: stats counts the last five as queued.
  assert.equal(stats.running, 1)
  assert.equal(stats.queued, 5)
})

test("executor: a function that is not a worker function is refused with a clear message", async () => {
  const closure = ((a: number) => a) as unknown as typeof add
  const exit = await withPool(
    "thread",
    { maxWorkers: 1 },
    (pool) => Effect.exit(pool.submit(closure, 1, 2)),
  )
  const error = failureOf(exit)
  assert.ok(error instanceof NotCloneableError)
  assert.match(error.message, /closure cannot be sent/)
})

test("executor: workerFunction() names a function by module URL and export, and runs it locally when called", () => {
  const double = workerFunction(import.meta.url, "double", (n: number) => n * 2)
  assert.equal(double(21), 42)
  assert.equal(double.module, import.meta.url)
  assert.equal(double.exportName, "double")
})

test("runInExecutor: null runs on the default executor, a lazily started thread pool", async () => {
  assert.equal(await Effect.runPromise(runInExecutor(null, add, 20, 22)), 42)
  const pool = await Effect.runPromise(Effect.service(DefaultExecutor))
  assert.equal(pool.kind, "thread")
})

test("setDefaultExecutor: replaces the default executor for a region", async () => {
  const [inside, outside] = await withPool(
    "process",
    { maxWorkers: 1 },
    (pool) =>
      Effect.gen(function* () {
        const inside = yield* runInExecutor(null, whoAmI).pipe(setDefaultExecutor(pool))
        const outside = yield* runInExecutor(null, whoAmI)
        return [inside, outside] as const
      }),
  )
  assert.notEqual(Number(inside.split(":")[0]), process.pid)
  assert.equal(Number(outside.split(":")[0]), process.pid)
})

test("defaultExecutorLayer: replaces the default executor for a whole program and closes it", async () => {
  const program = Effect.gen(function* () {
    const pool = yield* Effect.service(DefaultExecutor)
    return [pool, yield* runInExecutor(null, whoAmI)] as const
  })
  const [pool, where] = await Effect.runPromise(
    program.pipe(Effect.provide(defaultExecutorLayer(ProcessPoolExecutor.make({ maxWorkers: 1 })))),
  )
  assert.equal(pool.kind, "process")
  assert.notEqual(Number(where.split(":")[0]), process.pid)
  // The layer was released with the program: the pool is shut down.
  assert.equal((await Effect.runPromise(pool.stats)).workers, 0)
  const after = await Effect.runPromise(Effect.exit(pool.submit(add, 1, 1)))
  assert.ok(failureOf(after) instanceof ExecutorShutdownError)
})

test("runInExecutor: a program that uses the default executor exits on its own", async () => {
  const run = await runScript(fromRoot("tests/fixtures/executor-exit.ts"), ["default"], {
    timeoutMs: 15_000,
  })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines, ["42"])
})

for (const kind of kinds) {
  test(`executor (${kind}): map fails with the first failure and cancels the other calls`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "executor-"))
    try {
      const exit = await withPool(kind, { maxWorkers: 1 }, (pool) =>
        Effect.exit(pool.map(
          touch,
          [join(dir, "a"), join(dir, "missing", "x"), ...range(200).map((i) => join(dir, `t${i}`))],
        )))
      const error = failureOf(exit)
      assert.ok(error instanceof TaskError, String(error))
      // Calls still queued when the failure came were cancelled, not run.
      assert.ok(!existsSync(join(dir, "t100")), "a queued call ran")
      assert.ok(!existsSync(join(dir, "t199")), "the last call ran")
    } finally {
      await removeDir(dir)
    }
  })

  test(`executor (${kind}): interrupting a map cancels its calls; the pool stays usable`, async () => {
    const [interrupted, sum, stats] = await withPool(
      kind,
      { maxWorkers: 2 },
      (pool) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.forkChild(pool.map(sleep, range(100).fill(50), range(100)))
          yield* Effect.sleep("100 millis")
          yield* Fiber.interrupt(fiber)
          const interrupted = yield* Fiber.await(fiber)
          const stats = yield* pool.stats
          return [interrupted, yield* pool.submit(add, 1, 1), stats] as const
        }),
    )
    assert.ok(Exit.isFailure(interrupted) && Cause.hasInterruptsOnly(interrupted.cause))
    assert.equal(stats.queued, 0)
    assert.equal(stats.running, 0)
    assert.equal(sum, 2)
  })

  test(`executor (${kind}): a non-cloneable argument in a map fails the map, naming the argument`, async () => {
    const exit = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) => Effect.exit(pool.map(echo, [1, 2, () => 3])),
    )
    const error = failureOf(exit)
    assert.ok(error instanceof NotCloneableError, String(error))
    assert.equal(error.argument, 0)
  })
}
