/**
 * Signals under run (SIGTERM as SIGINT: main interrupted, finalizers run,
 * exit 143 / 130) and addSignalHandler / removeSignalHandler (asyncio's
 * loop.add_signal_handler / remove_signal_handler), on Deno and on Bun.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect, Exit } from "effect"
import process from "node:process"
import {
  addSignalHandler,
  hasSignalHandler,
  removeSignalHandler,
  SignalError,
  signalExitCode,
} from "effect-asyncio/signals"
import { fromRoot } from "../../scripts/support.ts"
import { runAndSignal } from "../../scripts/signal-run.ts"

const runExit = fromRoot("tests/fixtures/run-exit.ts")
const handler = fromRoot("tests/fixtures/signal-handler.ts")

for (const runtime of ["deno", "bun"] as const) {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    test(`run (${runtime}): ${signal} interrupts main, runs its finalizers and exits ${code} (asyncio.run's KeyboardInterrupt, and kill's default)`, async () => {
      const run = await runAndSignal(runExit, {
        args: ["sigint"],
        signal,
        when: /^ready$/,
        runtime,
      })
      assert.ok(run.signalled)
      assert.equal(run.killedBy, null, "it exited by itself, after the cleanup")
      assert.equal(run.code, code, run.stderr)
      assert.deepEqual(run.lines, ["ready", "finalizer ran"])
    })
  }

  test(`addSignalHandler (${runtime}): the handler takes SIGTERM over; run lets main end normally (loop.add_signal_handler)`, async () => {
    const run = await runAndSignal(handler, {
      args: ["handled"],
      signal: "SIGTERM",
      when: /^ready$/,
      runtime,
    })
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(run.lines, [
      "ready",
      "handler: SIGTERM",
      "main done",
      "finalizer ran",
      "run returned",
    ])
  })

  test(`removeSignalHandler (${runtime}): it says true, and SIGTERM goes back to run (loop.remove_signal_handler)`, async () => {
    const run = await runAndSignal(handler, {
      args: ["removed"],
      signal: "SIGTERM",
      when: /^ready$/,
      runtime,
    })
    assert.equal(run.killedBy, null)
    assert.equal(run.code, 143, run.stderr)
    assert.deepEqual(run.lines, ["removed true", "ready", "finalizer ran"])
  })
}

const kill = (signal: "SIGUSR2") => process.kill(process.pid, signal)
const until = (check: () => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1000 && !check(); i++) yield* Effect.sleep("10 millis")
  })

test("addSignalHandler: one handler per signal (a new one replaces the last), with its arguments; gone at scope end", async () => {
  const seen: Array<string> = []
  await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    yield* addSignalHandler("SIGUSR2", (who: string) => seen.push(who), "first")
    kill("SIGUSR2")
    yield* until(() => seen.length === 1)
    yield* addSignalHandler("SIGUSR2", (who: string) => seen.push(who), "second")
    kill("SIGUSR2")
    yield* until(() => seen.length === 2)
    assert.equal(hasSignalHandler("SIGUSR2"), true)
  })))
  assert.deepEqual(seen, ["first", "second"])
  assert.equal(hasSignalHandler("SIGUSR2"), false)
  assert.equal(await Effect.runPromise(removeSignalHandler("SIGUSR2")), false)
})

test("addSignalHandler: a name that is no signal, or SIGKILL, fails with a SignalError that says so", async () => {
  for (
    const [signal, message] of [["SIGNOPE", /SIGNOPE is not a signal/], [
      "SIGKILL",
      /SIGKILL cannot be caught/,
    ]] as const
  ) {
    const exit = await Effect.runPromise(
      Effect.exit(Effect.scoped(addSignalHandler(signal, () => {}))),
    )
    assert.ok(Exit.isFailure(exit))
    const reason = exit.cause.reasons[0]
    assert.ok(reason._tag === "Fail" && reason.error instanceof SignalError)
    assert.match(reason.error.message, message)
  }
  assert.equal(signalExitCode("SIGINT"), 130)
  assert.equal(signalExitCode("SIGTERM"), 143)
})
