// docs/loops.md's loop figures are generated from bench/results/results.json, never copied by hand.
import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import type { BenchRow } from "../bench/row.ts"
import { currentBlock, loopTable, PAGE, withBlock } from "../bench/loop-figures.ts"
import { fromRoot } from "../scripts/support.ts"

const results: Array<BenchRow> = JSON.parse(
  readFileSync(fromRoot("bench/results/results.json"), "utf8"),
)
const readme = readFileSync(fromRoot(PAGE), "utf8")

test("bench loop figures: docs/loops.md's loop table is what bench/loop-figures.ts makes of results.json", () => {
  assert.equal(
    currentBlock(readme),
    loopTable(results),
    "stale figures: run `deno run --allow-read --allow-write bench/loop-figures.ts`",
  )
})

test("bench loop figures: the table follows the results (a changed median changes the page)", () => {
  const row = (variant: string) => ({
    bench: "event",
    workload: "ping-pong 100,000",
    variant,
    baseline: variant.startsWith("default"),
    runtime: "deno",
    unit: "ops/s",
    median: variant.startsWith("default") ? 100_000 : 150_000,
    min: 1,
    max: 1,
    samples: 1,
  })
  const table = loopTable([
    row("defaultLoop (Effect MixedScheduler)"),
    row("fastLoop (FastScheduler)"),
  ])
  assert.match(
    table,
    /\| ping-pong through two Events +\| 100,000 → 150,000 ops\/s \(1\.50×\) +\| not measured +\|/,
  )
  assert.match(table, /\| spawn-gather 100 000 +\| not measured +\| not measured +\|/)
  assert.equal(currentBlock(withBlock(readme, table)), table)
  assert.throws(() => withBlock("no markers", table), /lacks/)
})
