import { test } from "node:test"
import assert from "node:assert/strict"
import { fromRoot } from "../scripts/support.ts"
import { runAndSignal } from "../scripts/signal-run.ts"

const recipe = fromRoot("recipes/graceful-shutdown.ts")

for (const runtime of ["deno", "bun"] as const) {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    test(`graceful-shutdown (${runtime}): ${signal} stops the worker, its cleanup runs, exit ${code}`, async () => {
      // On Deno the recipe runs with only its Run it line's flags (none).
      const run = await runAndSignal(recipe, {
        signal,
        when: /^tick 2$/,
        runtime,
        denoFlags: [],
        timeoutMs: 30_000,
      })
      assert.ok(run.signalled, `no "tick 2" line: ${run.lines.join("\n")}\n${run.stderr}`)
      assert.equal(run.killedBy, null, "it exited by itself, after the cleanup")
      assert.equal(run.code, code, run.stderr)
      assert.match(run.lines[0], /^working \(pid \d+\); Ctrl-C or SIGTERM stops me$/)
      const ticks = run.lines.filter((line) => /^tick \d+$/.test(line))
      assert.deepEqual(ticks, ticks.map((_, i) => `tick ${i + 1}`))
      assert.ok(ticks.length >= 2)
      assert.deepEqual(run.lines.slice(1 + ticks.length), [
        `got ${signal}: shutting down`,
        `cleanup: state saved after ${ticks.length} ticks`,
      ])
    })
  }
}
