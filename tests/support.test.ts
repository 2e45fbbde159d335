// scripts/support.ts: running a script as a child process, for the tests, the tour and the benches.
import { test } from "node:test"
import assert from "node:assert/strict"
import { runtime } from "../lib/internal/runtime.ts"
import { denoFlagsOf, fromRoot, runScript, scriptCommand } from "../scripts/support.ts"

test("support: scriptCommand builds the argv for either runtime", () => {
  const other = runtime.name === "deno" ? "bun" : "deno"
  assert.deepEqual(
    scriptCommand("x.ts", ["--a"]).slice(1),
    runtime.name === "deno" ? ["run", "-A", "x.ts", "--a"] : ["x.ts", "--a"],
  )
  assert.equal(scriptCommand("x.ts", [], other)[0], other)
})

test("support: runScript kills a script that does not exit within the limit", async () => {
  const started = performance.now()
  await assert.rejects(
    runScript(fromRoot("tests/fixtures/run-exit.ts"), ["sigint"], { timeoutMs: 1_500 }),
    /did not exit within 1500 ms/,
  )
  assert.ok(performance.now() - started < 15_000) // killed at the limit, not left to run
})

test("support: runScript reports the exit code and output of a failing script", async () => {
  const run = await runScript(fromRoot("tests/fixtures/run-exit.ts"), ["fail"])
  assert.equal(run.code, 1)
  assert.match(run.stderr + run.stdout, /main failed on purpose/)
})

test("support: denoFlagsOf reads a recipe's Run it line", () => {
  assert.deepEqual(denoFlagsOf(" * Run it:  deno run recipes/a.ts   |   bun recipes/a.ts"), [])
  assert.deepEqual(
    denoFlagsOf(" * Run it:  deno run --allow-env --allow-run recipes/b.ts"),
    ["--allow-env", "--allow-run"],
  )
  assert.throws(() => denoFlagsOf("no such line"), /Run it/)
})
