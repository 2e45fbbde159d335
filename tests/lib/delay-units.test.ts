// Seconds or milliseconds? asyncio's delays are seconds, Effect's bare
// numbers milliseconds, so a porter's `callLater(0.5, f)` would fire at
// once. The asyncio-named functions (callLater, waitFor, wait's timeout,
// Event.waitFor, the running loop's callLater, timeout, asCompleted's timeout) refuse a bare number at
// compile time, saying what to write; time(), callAt and a handle's `when`
// stay in seconds, as in asyncio. `deno check` on the fixture shows both.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import { copyFileSync, existsSync, readFileSync, rmSync } from "node:fs"
import process from "node:process"
import { Effect } from "effect"
import { callAt, time } from "effect-asyncio/loop"
import { fromRoot } from "../../scripts/support.ts"

const fixture = fromRoot("tests/fixtures/compile-fail/bare-number-delay.ts.txt")
const deno = existsSync(fromRoot("node_modules/.bin/deno"))
  ? fromRoot("node_modules/.bin/deno")
  : "deno"

test("delay units: a bare number is refused at compile time with what to write; Durations and seconds APIs compile", async () => {
  // A .ts copy inside the repository, so that deno.json's import map resolves the package.
  const copy = fromRoot(`tests/fixtures/compile-fail/.check-${process.pid}.ts`)
  copyFileSync(fixture, copy)
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve) => {
        execFile(deno, ["check", copy], {
          cwd: fromRoot(""),
          env: { ...process.env, NO_COLOR: "1" },
          timeout: 120_000,
        }, (error, stdout, stderr) =>
          resolve({
            code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
            output: stdout + stderr,
          }))
      },
    )
    assert.notEqual(code, 0, output)
    const failLines = readFileSync(fixture, "utf8").split("\n")
      .flatMap((line, i) => line.includes("// FAIL") ? [i + 1] : [])
    const errorLines = [...output.matchAll(/\.check-\d+\.ts:(\d+):\d+/g)].map((m) => Number(m[1]))
    assert.deepEqual([...new Set(errorLines)].sort((a, b) => a - b), failLines, output)
    const told = output.match(/write "500 millis" or Duration\.seconds\(0\.5\)/g) ?? []
    assert.ok(told.length >= failLines.length, output)
  } finally {
    rmSync(copy, { force: true })
  }
})

test("delay units: time() and callAt stay in seconds, as asyncio's loop.time() and call_at", async () => {
  const when = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const now = yield* time
    const handle = yield* callAt(now + 0.5, () => {})
    return { now, when: handle.when }
  })))
  assert.ok(Math.abs(when.when - when.now - 0.5) < 1e-9, JSON.stringify(when))
})
