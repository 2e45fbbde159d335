// A task module without the `import.meta.main` guard: the first worker that
// imports it refuses to start the program again, and the task fails at once
// with one line naming the module and the guard. Nothing recurses: the
// program ends by itself (runScript fails on a program still running after 20 s).
import { test } from "node:test"
import assert from "node:assert/strict"
import { fromRoot, runScript } from "../../scripts/support.ts"

const fixture = "tests/fixtures/no-main-guard.ts"

const message = new RegExp(
  `^${fixture.replaceAll(".", "\\.")} started (run\\(main\\)|a thread pool) while a worker was ` +
    "importing it to run a task: without a guard, every worker would start the program again\\. " +
    "Put the module's program behind `if \\(import\\.meta\\.main\\) \\{ … \\}`",
)

const runMode = (mode: string) =>
  runScript(fromRoot(fixture), [], {
    cwd: fromRoot(""),
    env: { NO_GUARD_MODE: mode },
    timeoutMs: 20_000,
  })

for (const mode of ["run-thread", "run-process", "bare"]) {
  test(`main guard: ${mode}: one line naming the module and the guard, exit 1, no task ran`, async () => {
    const run = await runMode(mode)
    assert.equal(run.code, 1, run.stderr)
    assert.equal(run.stdout, "")
    const lines = run.stderr.split("\n").filter((line) => line !== "")
    assert.equal(lines.length, 1, run.stderr)
    assert.match(lines[0], message)
    assert.match(lines[0], /started run\(main\)/)
  })
}

test("main guard: the default executor made at import is refused too (no run)", async () => {
  const run = await runMode("default")
  assert.notEqual(run.code, 0)
  assert.equal(run.stdout, "")
  // Not under run: the runtime prints the error its own way, the message among it.
  const line = run.stderr.split("\n").find((line) => line.includes("started a thread pool"))
  assert.ok(line, run.stderr)
  assert.match(line.slice(line.indexOf(fixture)), message)
})
