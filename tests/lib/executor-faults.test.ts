/**
 * The executor under faults: crashes blame only the task that ran, an
 * interrupted task is skipped on the worker's word or its worker is
 * terminated, children die with their parent, options are checked at `make`.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import { Cause, Effect, Exit, Fiber } from "effect"
import { BrokenWorkerError, type ExecutorOptions, NotCloneableError } from "effect-asyncio/executor"
import { add, echo, exit, spin, touch } from "../fixtures/tasks.ts"
import { failureOf, kinds, make, range, withPool } from "./_executor.ts"
import { fromRoot, scriptCommand } from "../../scripts/support.ts"
import { childrenOf, survivors } from "../fixtures/processes.ts"

for (const kind of kinds) {
  test(`executor faults (${kind}): 4 crashes on one worker fail those 4 tasks only; the 96 others succeed`, async () => {
    const crashing = new Set([5, 15, 25, 35])
    const outcomes = await withPool(kind, { maxWorkers: 1 }, (pool) =>
      Effect.forEach(
        range(100),
        (i) => Effect.exit(crashing.has(i) ? pool.submit(exit, 7) : pool.submit(add, i, 1)),
        { concurrency: "unbounded" },
      ))
    outcomes.forEach((outcome, i) => {
      if (crashing.has(i)) {
        const error = failureOf(outcome)
        assert.ok(error instanceof BrokenWorkerError, `task ${i}: ${String(error)}`)
        assert.equal(error.exitCode, 7)
      } else {
        assert.deepEqual(outcome, Exit.succeed(i + 1), `task ${i}`)
      }
    })
  })

  test(`executor faults (${kind}): interrupting a task that has just started, behind unreported ones, stops its worker`, async () => {
    const [others, late] = await withPool(
      kind,
      { maxWorkers: 1 },
      (pool) =>
        Effect.gen(function* () {
          // A deep queue: the worker gets [add, add, add, spin, …] as one batch and is inside
          // the endless spin before the results of the adds before it are sent.
          const before = yield* Effect.forkChild(
            Effect.forEach(range(3), (i) => pool.submit(add, i, 1), { concurrency: "unbounded" }),
          )
          const endless = yield* Effect.forkChild(pool.submit(spin, 600_000))
          const after = yield* Effect.forkChild(
            Effect.forEach(range(4), (i) => pool.submit(add, i, 10), { concurrency: "unbounded" }),
          )
          yield* Effect.sleep("500 millis")
          yield* Fiber.interrupt(endless)
          const others = yield* Fiber.joinAll([before, after]).pipe(Effect.timeout("20 seconds"))
          const late = yield* pool.submit(add, 2, 3).pipe(Effect.timeout("20 seconds"))
          return [others, late] as const
        }),
    )
    assert.deepEqual(others, [[1, 2, 3], [10, 11, 12, 13]])
    assert.equal(late, 5)
  })
}

test("executor faults: options out of range are refused at make, with a clear message", async () => {
  const bad: Array<[ExecutorOptions, RegExp]> = [
    [{ maxWorkers: 0 }, /maxWorkers/],
    [{ maxWorkers: -1 }, /maxWorkers/],
    [{ maxWorkers: Number.NaN }, /maxWorkers/],
    [{ maxWorkers: 1.5 }, /maxWorkers/],
    [{ maxWorkers: 1e9 }, /maxWorkers/],
    [{ maxQueue: 0 }, /maxQueue/],
    [{ maxQueue: -1 }, /maxQueue/],
    [{ maxQueue: 2.5 }, /maxQueue/],
    [{ closeTimeoutMs: -1 }, /closeTimeoutMs/],
    [{ closeTimeoutMs: Number.NaN }, /closeTimeoutMs/],
  ]
  for (const kind of kinds) {
    for (const [options, message] of bad) {
      const exit = await Effect.runPromise(
        Effect.exit(Effect.scoped(make(kind, options))).pipe(
          Effect.timeoutOrElse({
            duration: "10 seconds",
            orElse: () => Effect.die(new Error(`make(${JSON.stringify(options)}) hung`)),
          }),
        ),
      )
      assert.ok(Exit.isFailure(exit), `${kind} ${JSON.stringify(options)} was accepted`)
      const defect = Cause.squash(exit.cause)
      assert.ok(
        defect instanceof RangeError,
        `${kind} ${JSON.stringify(options)}: ${String(defect)}`,
      )
      assert.match(defect.message, message)
    }
  }
})

for (const signal of ["SIGTERM", "SIGKILL", "SIGINT"] as const) {
  test(`executor faults (process): busy children die within 2 s of their parent's ${signal}`, {
    skip: process.platform !== "linux",
  }, async () => {
    const [exe, ...argv] = scriptCommand(fromRoot("tests/fixtures/executor-orphans.ts"))
    const parent = spawn(exe, argv, { stdio: ["ignore", "pipe", "inherit"] })
    const children: Array<number> = []
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the fixture never got ready")), 60_000)
        parent.stdout.setEncoding("utf8").on("data", (text: string) => {
          if (text.includes("ready")) {
            clearTimeout(timer)
            resolve()
          }
        })
        parent.on("exit", (code) => reject(new Error(`the fixture exited early (${code})`)))
      })
      children.push(...childrenOf(parent.pid!))
      assert.equal(children.length, 2, `expected 2 busy children, found ${children}`)
      const gone = new Promise((r) => parent.on("exit", r))
      parent.kill(signal)
      await gone
      assert.deepEqual(await survivors(children, 2_000), [], `children left after ${signal}`)
    } finally {
      parent.kill("SIGKILL")
      for (const pid of children) {
        try {
          process.kill(pid, "SIGKILL")
        } catch {
          // gone
        }
      }
    }
  })
}

test(
  "executor faults (process, Deno): a program run with narrow permissions cannot do more through the pool",
  {
    skip: typeof (globalThis as { Deno?: unknown }).Deno === "undefined",
  },
  async () => {
    const root = fromRoot("")
    // A file outside the repository the parent may not read.
    const outside = "/etc/hostname"
    const child = spawn(process.execPath, [
      "run",
      `--allow-read=${root}`,
      `--allow-run=${process.execPath}`,
      "--allow-env",
      fromRoot("tests/fixtures/executor-permissions.ts"),
      outside,
    ], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stdout.setEncoding("utf8").on("data", (text: string) => (out += text))
    child.stderr.setEncoding("utf8").on("data", (text: string) => (err += text))
    const code = await new Promise((r) => child.on("close", r))
    assert.equal(code, 0, err)
    const lines = out.trim().split("\n")
    assert.equal(lines[0], "add: ok 3", out)
    assert.match(
      lines[1],
      /^read: denied TaskError: .*(NotCapable|PermissionDenied|read access)/,
      out,
    )
    assert.match(lines[2], /^run: denied TaskError: /, out)
  },
)

for (const kind of kinds) {
  test(`executor faults (${kind}): a 100 MB argument makes the round trip (generous bound: it does not hang)`, async () => {
    const size = 100 * 1024 * 1024
    const bytes = new Uint8Array(size)
    bytes[0] = 1
    bytes[size - 1] = 2
    const started = performance.now()
    const back = await withPool(kind, { maxWorkers: 1 }, (pool) => pool.submit(echo, bytes))
    const ms = performance.now() - started
    assert.ok(back instanceof Uint8Array)
    assert.equal(back.length, size)
    assert.equal(back[0], 1)
    assert.equal(back[size - 1], 2)
    // Not a speed test: only "it does not take forever" (it took 40 s+ on Deno's thread pool).
    assert.ok(ms < 20_000, `took ${ms.toFixed(0)} ms`)
  })
}

test("executor faults (process): a SharedArrayBuffer argument is refused: memory cannot be shared across processes", async () => {
  const shared = new Int32Array(new SharedArrayBuffer(16))
  const [direct, nested, inThread] = await Promise.all([
    withPool("process", { maxWorkers: 1 }, (pool) => Effect.exit(pool.submit(echo, shared))),
    withPool(
      "process",
      { maxWorkers: 1 },
      (pool) => Effect.exit(pool.submit(echo, { a: [shared.buffer] })),
    ),
    withPool("thread", { maxWorkers: 1 }, (pool) => pool.submit(echo, shared)),
  ])
  for (const exit of [direct, nested]) {
    const error = failureOf(exit)
    assert.ok(error instanceof NotCloneableError, String(error))
    assert.equal(error.argument, 0)
    assert.match(error.message, /SharedArrayBuffer.*cannot be shared across processes/)
  }
  // A thread shares memory: the same buffer comes back.
  assert.ok((inThread as Int32Array).buffer instanceof SharedArrayBuffer)
})

for (const kind of kinds) {
  test(`executor faults (${kind}): cancelling a task queued on a busy worker skips it; the running task completes`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "executor-faults-"))
    const marker = join(dir, "cancelled-task-ran")
    try {
      const [long, cancelled, rest, stats] = await withPool(
        kind,
        { maxWorkers: 1 },
        (pool) =>
          Effect.gen(function* () {
            yield* pool.submit(add, 0, 0)
            // Four at once on one worker: [spin, touch] go out as one batch, the adds wait.
            const long = yield* Effect.forkChild(pool.submit(spin, 1_500))
            const touched = yield* Effect.forkChild(pool.submit(touch, marker))
            const rest = yield* Effect.forkChild(
              Effect.all([pool.submit(add, 1, 1), pool.submit(add, 2, 2)], { concurrency: 2 }),
            )
            yield* Effect.sleep("300 millis")
            yield* Fiber.interrupt(touched)
            return [
              yield* Fiber.join(long),
              yield* Fiber.await(touched),
              yield* Fiber.join(rest),
              yield* pool.stats,
            ] as const
          }),
      )
      assert.equal(long, 1_500)
      assert.ok(Exit.isFailure(cancelled) && Cause.hasInterruptsOnly(cancelled.cause))
      assert.deepEqual(rest, [2, 4])
      assert.equal(existsSync(marker), false, "the cancelled task ran")
      // A thread worker answers through shared memory: it was not terminated. A process
      // worker busy in synchronous code cannot answer: it was terminated after 100 ms and
      // its running task ran again.
      if (kind === "thread") assert.equal(stats.spawned, 1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
}
