/**
 * The Python peers (bench/peers/asyncio/*.py): each runs with its tiny sizes
 * (`--quick`) under asyncio and under uvloop and prints valid rows in the
 * TypeScript harness's schema, for exactly the workloads bench/workloads.json
 * defines. Skipped, with a message, where no python3 with uvloop and aiohttp
 * is installed; the pure parts (merging runs, finding Python) always run.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { existsSync } from "node:fs"
import type { BenchRow } from "../bench/row.ts"
import {
  findPython,
  installHint,
  mergeRuns,
  missingPeerNeed,
  parseRows,
  peerBenches,
  peerDir,
  peerLoops,
  runPeer,
  workloadsOf,
} from "../bench/peers.ts"
import { sideDefs, workloadDef, workloadDefs } from "../bench/workloads.ts"

const python = await findPython()
const skip = python ? false : installHint
if (!python) console.log(`tests/bench-peers.test.ts: ${installHint}`)

const rowKeys = [
  "baseline",
  "bench",
  "extra",
  "max",
  "median",
  "min",
  "runtime",
  "samples",
  "unit",
  "variant",
  "workload",
]

/** A row as the report expects it from a peer run with `--quick` (2 samples). */
const assertPeerRow = (row: BenchRow, bench: string, loop: string) => {
  const where = `${bench}.py --loop ${loop}: ${row.workload}`
  assert.deepEqual(Object.keys(row).sort(), rowKeys, where)
  assert.equal(row.bench, bench, where)
  assert.equal(row.runtime, loop, where)
  assert.equal(row.baseline, false, where)
  assert.equal(row.unit, workloadDef(bench, row.workload).unit, where)
  assert.equal(typeof row.variant, "string", where)
  assert.ok(row.variant.length > 0, where)
  assert.equal(row.samples, 2, where)
  for (const figure of [row.median, row.min, row.max]) {
    assert.ok(Number.isFinite(figure), `${where}: ${figure}`)
  }
  assert.ok(row.min <= row.median && row.median <= row.max, where)
  if (row.unit !== "ms") assert.ok(row.min > 0, `${where}: min ${row.min}`)
  assert.ok(Number.isFinite(row.extra?.peakRssMiB), `${where}: peakRssMiB`)
}

test("bench peers: every bench with a workload for the peers has a peer script, and no script is extra", () => {
  const benches = [...new Set(sideDefs("peer").map((w) => w.bench))].sort()
  assert.deepEqual(peerBenches(), benches)
  for (const bench of benches) assert.ok(existsSync(`${peerDir}${bench}.py`), bench)
  // The join key is (bench, workload): no two definitions may share it.
  const keys = workloadDefs.map((w) => `${w.bench}/${w.workload}`)
  assert.equal(new Set(keys).size, keys.length)
})

for (const bench of peerBenches()) {
  // A peer that needs more than uvloop and aiohttp (Dask) is skipped with its own install hint.
  const missing = python ? await missingPeerNeed(python, bench) : undefined
  if (missing) console.log(`tests/bench-peers.test.ts: ${missing}`)
  test(`bench peers: ${bench}.py --quick prints valid rows under asyncio and uvloop`, {
    skip: skip || missing || false,
  }, async () => {
    const runs = await Promise.all(
      peerLoops.map((loop) => runPeer(python!, bench, loop, { quick: true, timeoutMs: 110_000 })),
    )
    peerLoops.forEach((loop, i) => {
      const rows = runs[i]
      // A peer may measure several variants of a workload (Dask plain and with TLS).
      assert.deepEqual(
        [...new Set(rows.map((r) => r.workload))],
        workloadsOf(bench),
        `${bench} under ${loop}`,
      )
      for (const row of rows) assertPeerRow(row, bench, loop)
    })
  })
}

test("bench peers: --workload runs only that workload; an unknown one fails clearly", {
  skip,
}, async () => {
  const rows = await runPeer(python!, "event", "uvloop", {
    quick: true,
    workloads: ["ping-pong 100,000"],
  })
  assert.deepEqual(rows.map((r) => [r.workload, r.runtime]), [["ping-pong 100,000", "uvloop"]])
  await assert.rejects(
    runPeer(python!, "event", "asyncio", { quick: true, workloads: ["no such workload"] }),
    /no workload named \['no such workload'\]/,
  )
})

test("bench peers: findPython passes over interpreters that cannot run the peers", async () => {
  assert.equal(await findPython(["/nonexistent/python3", "/bin/false"]), undefined)
  if (python) {
    const found = await findPython(["/bin/false", python.exe])
    assert.equal(found?.exe, python.exe)
    assert.match(found?.uvloop ?? "", /^\d+\.\d+/)
    assert.match(found?.aiohttp ?? "", /^\d+\.\d+/)
  }
})

test("bench peers: parseRows reads only the BENCH lines", () => {
  const row = { bench: "b", workload: "w", median: 1 }
  assert.deepEqual(parseRows(`noise\nBENCH ${JSON.stringify(row)}\n\nmore noise\n`), [row])
})

const run = (runtime: string, median: number, min: number, max: number, extra = {}): BenchRow => ({
  bench: "event",
  workload: "ping-pong 100,000",
  variant: "asyncio.Event",
  baseline: false,
  runtime,
  unit: "ops/s",
  median,
  min,
  max,
  samples: 5,
  extra: { peakRssMiB: 20, ...extra },
})

test("bench peers: mergeRuns makes one row per runtime from several runs", () => {
  const merged = mergeRuns([
    run("asyncio", 170, 160, 175, { peakRssMiB: 21, maxLatenessMs: 3 }),
    run("uvloop", 260, 250, 270),
    run("asyncio", 150, 120, 155, { peakRssMiB: 24, maxLatenessMs: 1 }),
    run("uvloop", 250, 240, 280),
    run("asyncio", 180, 178, 190, { peakRssMiB: 22, maxLatenessMs: 2 }),
  ])
  assert.equal(merged.length, 2)
  const [asyncio, uvloop] = merged
  assert.deepEqual(
    [asyncio.runtime, asyncio.median, asyncio.min, asyncio.max, asyncio.samples],
    ["asyncio", 170, 120, 190, 15],
  )
  assert.deepEqual(asyncio.extra, { peakRssMiB: 24, maxLatenessMs: 2 })
  // Upper median of two runs, as the harness takes it.
  assert.deepEqual([uvloop.median, uvloop.min, uvloop.max, uvloop.samples], [260, 240, 280, 10])
})
