/**
 * The report builder (bench/report.ts): fixed rows in, the expected REPORT.md
 * tables and well-formed SVG charts out; and docs/performance.md's chart links point at
 * charts the report writes.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import type { BenchRow } from "../bench/row.ts"
import {
  chartFile,
  groupByWorkload,
  renderHeader,
  renderReport,
  slug,
  unjoined,
  uvloopOf,
} from "../bench/report.ts"
import { renderChart } from "../bench/chart.ts"
import { workloadDefs } from "../bench/workloads.ts"
import { fromRoot } from "../scripts/support.ts"

const row = (fields: Partial<BenchRow> & Pick<BenchRow, "runtime" | "variant" | "median">) => ({
  bench: "run-concurrently",
  workload: "spawn-gather 100,000",
  baseline: false,
  unit: "µs/task",
  min: fields.median * 0.9,
  max: fields.median * 1.1,
  samples: 9,
  ...fields,
})

const ownRows: Array<BenchRow> = [
  row({ runtime: "deno", variant: "Promise.all (raw)", baseline: true, median: 0.5, min: 0.4 }),
  row({ runtime: "deno", variant: "gather (lib)", median: 10, extra: { peakRssMiB: 180 } }),
  row({ runtime: "bun", variant: "Promise.all (raw)", baseline: true, median: 0.25 }),
  row({ runtime: "bun", variant: "gather (lib)", median: 3.75, min: 3, max: 4 }),
]

const peerRows: Array<BenchRow> = [
  ...ownRows,
  row({ runtime: "uvloop", variant: "asyncio.gather", median: 12.5, min: 12, max: 14 }),
  row({ runtime: "asyncio", variant: "asyncio.gather", median: 25, min: 20, max: 30 }),
]

test("bench report: a workload without peers keeps the compact variants × runtimes table", () => {
  assert.equal(
    renderReport(ownRows, "# Head"),
    [
      "# Head",
      "",
      "## run-concurrently: spawn-gather 100,000 (µs/task, lower is better)",
      "",
      "| variant | deno median | min–max | vs baseline | bun median | min–max | vs baseline |",
      "|---|---:|---:|---:|---:|---:|---:|",
      "| **Promise.all (raw)** | 0.50 | 0.40–0.55 | 1.00× | 0.25 | 0.23–0.28 | 1.00× |",
      "| gather (lib) | 10.0 (180 MiB) | 9.00–11.0 | 20.00× | 3.75 | 3.00–4.00 | 15.00× |",
      "",
    ].join("\n"),
  )
})

test("bench report: with peers, one row per runtime and variant, ratios to baseline and uvloop", () => {
  assert.equal(
    renderReport(peerRows, "# Head", { charts: true }),
    [
      "# Head",
      "",
      "## run-concurrently: spawn-gather 100,000 (µs/task, lower is better)",
      "",
      "| runtime | variant | median | min–max | vs baseline | vs uvloop |",
      "|---|---|---:|---:|---:|---:|",
      "| Deno | **Promise.all (raw)** | 0.50 | 0.40–0.55 | 1.00× | 0.04× |",
      "| Deno | gather (lib) | 10.0 (180 MiB) | 9.00–11.0 | 20.00× | 0.80× |",
      "| Bun | **Promise.all (raw)** | 0.25 | 0.23–0.28 | 1.00× | 0.02× |",
      "| Bun | gather (lib) | 3.75 | 3.00–4.00 | 15.00× | 0.30× |",
      "| asyncio | asyncio.gather | 25.0 | 20.0–30.0 | – | 2.00× |",
      "| uvloop | asyncio.gather | 12.5 | 12.0–14.0 | – | 1.00× |",
      "",
      "![run-concurrently: spawn-gather 100,000](run-concurrently-spawn-gather-100-000.svg)",
      "",
    ].join("\n"),
  )
})

test("bench report: workloads measured on one side only are named at the top", () => {
  const other = (runtime: string) =>
    row({ runtime, variant: "v", median: 1, bench: "event", workload: "fan-out 100,000" })
  assert.deepEqual(unjoined(ownRows), { withoutPeer: [], withoutOurs: [] })
  const rows = [...ownRows, other("uvloop"), other("asyncio")]
  assert.deepEqual(unjoined(rows), {
    withoutPeer: ["run-concurrently: spawn-gather 100,000"],
    withoutOurs: ["event: fan-out 100,000"],
  })
  assert.match(
    renderReport(rows, "# Head"),
    /^# Head\n\nMeasured on Deno\/Bun with no Python peer row: \*run-concurrently: spawn-gather 100,000\*\.\n\nMeasured by the Python peers only, no Deno\/Bun row yet: \*event: fan-out 100,000\*\.\n/,
  )
  assert.deepEqual(unjoined(peerRows), { withoutPeer: [], withoutOurs: [] })
})

test("bench report: extra figures other than peak RSS get a notes column", () => {
  const rows = [
    row({ runtime: "deno", variant: "callLater", median: 3, unit: "ms", extra: { x: 1.5 } }),
    row({ runtime: "uvloop", variant: "loop.call_later", median: 2, unit: "ms" }),
  ]
  const table = renderReport(rows, "").split("\n").filter((l) => l.startsWith("|"))
  assert.equal(
    table[0],
    "| runtime | variant | median | min–max | vs baseline | vs uvloop | notes |",
  )
  assert.equal(table[2], "| Deno | callLater | 3.00 | 2.70–3.30 | – | 1.50× | x 1.50 |")
})

test("bench report: vs uvloop uses uvloop's same variant, else its best row for the unit", () => {
  const rate = (runtime: string, variant: string, median: number) =>
    row({ runtime, variant, median, unit: "ops/s" })
  const rows = [
    rate("uvloop", "threads", 100),
    rate("uvloop", "processes", 300),
    rate("asyncio", "threads", 50),
    rate("bun", "pool", 600),
  ]
  assert.equal(uvloopOf(rows[2], rows)?.variant, "threads")
  assert.equal(uvloopOf(rows[3], rows)?.variant, "processes") // higher is better for ops/s
  const times = rows.map((r) => ({ ...r, unit: "ms" }))
  assert.equal(uvloopOf(times[3], times)?.variant, "threads") // lower is better for times
  assert.equal(uvloopOf(rows[3], rows.slice(2)), undefined)
})

test("bench report: the header names the machine, every version and the date", () => {
  const header = renderHeader({
    cpu: "AMD EPYC",
    cores: 2,
    memGiB: 24,
    versions: { deno: "2.9.6", bun: "1.4.5", python: "3.11.2", uvloop: "0.17.0", aiohttp: "3.8.4" },
    date: "2026-11-25",
  })
  assert.match(header, /^# Bench report\n/)
  assert.match(header, /Machine: AMD EPYC, 2 cores, 24 GiB\./)
  assert.match(
    header,
    /Versions: deno 2\.9\.6, bun 1\.4\.5, python 3\.11\.2, uvloop 0\.17\.0, aiohttp 3\.8\.4\. Written 2026-11-25/,
  )
  const without = renderHeader({
    cpu: "x",
    cores: 1,
    memGiB: 1,
    versions: { python: undefined },
    date: "2026-01-01",
    peersNote: "install them",
  })
  assert.match(without, /python not found/)
  assert.match(without, /\n> install them$/)
})

/** Checks that every tag is closed in order and that text holds no raw `<` or stray `&`. */
const assertWellFormed = (svg: string) => {
  const stack: Array<string> = []
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g
  let last = 0
  for (const match of svg.matchAll(tag)) {
    const text = svg.slice(last, match.index)
    assert.doesNotMatch(
      text,
      /[<>]|&(?!(amp|lt|gt|quot|apos);)/,
      `bad text ${JSON.stringify(text)}`,
    )
    last = match.index! + match[0].length
    const [, closing, name, , selfClosing] = match
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong tag`)
    else if (!selfClosing) stack.push(name)
  }
  assert.equal(svg.slice(last).trim(), "", "trailing text after the last tag")
  assert.deepEqual(stack, [], "unclosed tags")
}

test("bench report: a chart is well-formed SVG with a bar per row, to scale", () => {
  const rows = peerRows.map((r) =>
    r.runtime === "asyncio" ? { ...r, variant: `<asyncio> & "gather"` } : r
  )
  const [group] = groupByWorkload(rows)
  const svg = renderChart(group)
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*viewBox="0 0 \d+ \d+"/)
  assertWellFormed(svg)
  assert.match(svg, /&lt;asyncio&gt; &amp; &quot;gather&quot;/)
  const bars = [
    ...svg.matchAll(/<g class="bar" data-runtime="(\w+)">\n[^\n]*\n<rect [^>]*width="([\d.]+)"/g),
  ]
  assert.deepEqual(bars.map((b) => b[1]), ["deno", "deno", "bun", "bun", "asyncio", "uvloop"])
  // Widths proportional to the medians (0 is the left edge): asyncio's 25 is twice uvloop's 12.5.
  const width = (runtime: string) => Number(bars.filter((b) => b[1] === runtime).at(-1)![2])
  assert.ok(Math.abs(width("asyncio") / width("uvloop") - 2) < 0.02)
  assert.match(svg, /2\.00× uvloop/)
  assert.equal((svg.match(/class="uvloop-ref"/g) ?? []).length, 1)
  assertWellFormed(renderChart(groupByWorkload(ownRows)[0]))
})

test("bench report: chart file names are slugs of bench and workload", () => {
  assert.equal(slug("spawn-gather 1,000,000"), "spawn-gather-1-000-000")
  assert.equal(
    chartFile("cpu-bound", "4 × primes below 3,000,000: process pool (2)"),
    "cpu-bound-4-primes-below-3-000-000-process-pool-2.svg",
  )
  const files = workloadDefs.map((w) => chartFile(w.bench, w.workload))
  assert.equal(new Set(files).size, files.length, "two workloads would share a chart")
})

test("bench report: docs/performance.md links the report and existing charts", () => {
  const section = readFileSync(fromRoot("docs/performance.md"), "utf8")
  assert.match(section, /\(\.\.\/bench\/results\/REPORT\.md\)/)
  const linked = [...section.matchAll(/\(\.\.\/bench\/results\/([^)]+\.svg)\)/g)].map((m) => m[1])
  assert.ok(linked.length >= 4, `only ${linked.length} charts linked`)
  const known = new Set(workloadDefs.map((w) => chartFile(w.bench, w.workload)))
  for (const file of linked) assert.ok(known.has(file), `${file} is no workload's chart`)
})

test("bench report: a workload one side measures by design is marked so, not listed as a gap", () => {
  const defs = [{
    bench: "loop-swap",
    workload: "yield-spin 1,000 fibers × 100 yields",
    unit: "ns/op" as const,
    ops: 100_000,
    samples: 9,
    what: "fibers yield",
    only: "ts" as const,
    why: "it measures Effect's scheduler swap alone",
  }]
  const tsOnly = row({
    runtime: "deno",
    variant: "v",
    median: 1,
    bench: "loop-swap",
    workload: "yield-spin 1,000 fibers × 100 yields",
    unit: "ns/op",
  })
  const rows = [...peerRows, tsOnly]
  assert.deepEqual(unjoined(rows, defs), { withoutPeer: [], withoutOurs: [] })
  assert.deepEqual(unjoined(rows, []).withoutPeer, [
    "loop-swap: yield-spin 1,000 fibers × 100 yields",
  ])
  const report = renderReport(rows, "# Head", { defs })
  assert.doesNotMatch(report, /no Python peer row/)
  assert.match(
    report,
    /## loop-swap: yield-spin 1,000 fibers × 100 yields \(ns\/op, lower is better\)\n\n\*Deno\/Bun only, by design: it measures Effect's scheduler swap alone\*\n\n\| variant/,
  )
})
