import { test } from "node:test"
import assert from "node:assert/strict"
import process from "node:process"
import { runScript, runtime, scriptCommand } from "effect-asyncio/runtime"
import { fromRoot } from "../_support.ts"

test("runtime: detects the runtime running the test", () => {
  const g = globalThis as { Deno?: unknown; Bun?: unknown }
  assert.equal(runtime.name, g.Bun ? "bun" : "deno")
  assert.equal(runtime.execPath, process.execPath)
  assert.match(runtime.version, /^\d+\.\d+\.\d+/)
})

test("runtime: scriptCommand builds the argv for either runtime", () => {
  const other = runtime.name === "deno" ? "bun" : "deno"
  assert.deepEqual(
    scriptCommand("x.ts", ["--a"]).slice(1),
    runtime.name === "deno" ? ["run", "-A", "x.ts", "--a"] : ["x.ts", "--a"],
  )
  assert.equal(scriptCommand("x.ts", [], other)[0], other)
})

test("runScript: kills a script that does not exit within the limit", async () => {
  const started = performance.now()
  await assert.rejects(
    runScript(fromRoot("tests/fixtures/run-exit.ts"), ["sigint"], { timeoutMs: 1_500 }),
    /did not exit within 1500 ms/,
  )
  assert.ok(performance.now() - started < 5_000)
})

test("runScript: reports the exit code and output of a failing script", async () => {
  const run = await runScript(fromRoot("tests/fixtures/run-exit.ts"), ["fail"])
  assert.equal(run.code, 1)
  assert.match(run.stderr + run.stdout, /main failed on purpose/)
})
