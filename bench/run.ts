/**
 * `npm run bench`: runs every `bench/*.bench.ts` on Deno and on Bun, one
 * bench at a time, the two runtimes back to back, then the bench's Python
 * peer (`bench/peers/asyncio/<bench>.py`) under asyncio and uvloop when a
 * python3 with uvloop and aiohttp is found: one workload at a time, several
 * runs per loop, alternating the loops. It writes
 * `bench/results/results.json` (every row), `bench/results/REPORT.md` (a
 * table per workload: median, min–max, ratio to the same-run baseline and to
 * uvloop; see bench/report.ts) and an SVG chart per workload.
 *
 * `npm run bench -- executor` runs only the benches (and peers) whose name
 * contains "executor"; their rows replace the old ones (per bench and
 * runtime) and the rest are kept.
 *
 * Environment: `BENCH_QUICK=1` (2 samples, one run per loop), `BENCH_PEERS=0`
 * (skip the Python peers), `BENCH_PYTHON=/path/to/python3`, `BENCH_PEER_ROUNDS=N`
 * (runs per loop and workload, default 2). It prints the elapsed time of each
 * bench (Deno, Bun and peers apart) and of the whole session at the end.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import os from "node:os"
import process from "node:process"
import { type BenchRow, parseRowLine } from "./row.ts"
import type { RuntimeName } from "../lib/internal/runtime.ts"
import { scriptCommand } from "../scripts/support.ts"
import {
  findPython,
  installHint,
  missingPeerNeed,
  peerBenches,
  type Python,
  runPeerBench,
} from "./peers.ts"
import { chartFile, fmt, groupByWorkload, renderHeader, renderReport, unjoined } from "./report.ts"
import { renderChart } from "./chart.ts"
import { writeLoopFigures } from "./loop-figures.ts"

const here = new URL(".", import.meta.url).pathname
const resultsDir = `${here}results/`
const filters = process.argv.slice(2)

const benches = readdirSync(here)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort()

/**
 * Runs a bench process (`argv`) and collects the rows it prints as
 * `BENCH {json}` lines. Other lines are echoed; each row goes to `onRow`
 * (by default echoed as it came, so a parent process collects it in turn).
 */
const runBenchProcess = (
  argv: ReadonlyArray<string>,
  options: {
    readonly env?: Record<string, string | undefined>
    readonly onRow?: (row: BenchRow) => void
  } = {},
): Promise<Array<BenchRow>> =>
  new Promise((resolve, reject) => {
    const [exe, ...args] = argv
    const child = spawn(exe, args, { stdio: ["ignore", "pipe", "inherit"], env: options.env })
    const rows: Array<BenchRow> = []
    let buffer = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk
      const lines = buffer.split("\n")
      buffer = lines.pop() ?? ""
      for (const line of lines) {
        const row = parseRowLine(line)
        if (row === undefined) {
          console.log(line)
          continue
        }
        rows.push(row)
        if (options.onRow) options.onRow(row)
        else console.log(line)
      }
    })
    child.on("error", reject)
    child.on(
      "close",
      (code) => code === 0 ? resolve(rows) : reject(new Error(`${argv.join(" ")} exited ${code}`)),
    )
  })

const runOne = (file: string, runtime: RuntimeName) => {
  console.log(`\n=== ${file} on ${runtime}`)
  return runBenchProcess(scriptCommand(`${here}${file}`, [], runtime), {
    onRow: (row) =>
      console.log(`  ${row.workload} | ${row.variant}: ${fmt(row.median)} ${row.unit}`),
  })
}

const versionOf = (runtime: RuntimeName) =>
  new Promise<string>((resolve) => {
    const [exe] = scriptCommand("x", [], runtime)
    const child = spawn(exe, ["--version"], { stdio: ["ignore", "pipe", "ignore"] })
    let out = ""
    child.stdout.on("data", (c) => (out += c))
    child.on("close", () => resolve(out.split("\n")[0].trim()))
  })

const pythonVersions = (python: Python | undefined) => ({
  python: python?.python,
  uvloop: python?.uvloop,
  aiohttp: python?.aiohttp,
})

if (import.meta.main) {
  mkdirSync(resultsDir, { recursive: true })
  const jsonPath = `${resultsDir}results.json`
  const previous: Array<BenchRow> = existsSync(jsonPath)
    ? JSON.parse(readFileSync(jsonPath, "utf8"))
    : []
  const quick = process.env.BENCH_QUICK === "1"
  const python = process.env.BENCH_PEERS === "0" ? undefined : await findPython()
  if (!python && process.env.BENCH_PEERS !== "0") console.log(`\n${installHint}`)
  const peers = python ? peerBenches(filters) : []
  const fresh: Array<BenchRow> = []
  const names = [...new Set([...benches.map((f) => f.replace(/\.bench\.ts$/, "")), ...peers])]
    .sort()
  const sessionStart = performance.now()
  const elapsed: Array<string> = []
  const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`
  for (const name of names) {
    const file = `${name}.bench.ts`
    const parts: Array<string> = []
    const benchStart = performance.now()
    if (benches.includes(file)) {
      for (const runtime of ["deno", "bun"] as const) {
        const start = performance.now()
        fresh.push(...(await runOne(file, runtime)))
        parts.push(`${runtime} ${seconds(start)}`)
      }
    }
    const peerStart = performance.now()
    const missing = python && peers.includes(name) ? await missingPeerNeed(python, name) : undefined
    if (missing) console.log(`\n${missing}`)
    if (python && peers.includes(name) && !missing) {
      console.log(`\n=== ${name}.py on asyncio and uvloop (${python.exe})`)
      fresh.push(
        ...(await runPeerBench(
          python,
          name,
          {
            rounds: quick ? 1 : Number(process.env.BENCH_PEER_ROUNDS ?? 2),
            samples: quick ? 2 : undefined,
          },
          (rows, loop) => {
            for (const row of rows) {
              console.log(`  ${row.workload} | ${loop}: ${fmt(row.median)} ${row.unit}`)
            }
          },
        )),
      )
      parts.push(`peers ${seconds(peerStart)}`)
    }
    elapsed.push(`${name}: ${seconds(benchStart)} (${parts.join(", ")})`)
    console.log(`\n--- ${elapsed[elapsed.length - 1]}`)
  }
  console.log(`\nelapsed per bench:\n  ${elapsed.join("\n  ")}\n  total ${seconds(sessionStart)}`)
  // Fresh rows replace the old rows of the same bench on the same runtime.
  const freshKeys = new Set(fresh.map((r) => `${r.bench}\u0000${r.runtime}`))
  const rows = [...previous.filter((r) => !freshKeys.has(`${r.bench}\u0000${r.runtime}`)), ...fresh]
  writeFileSync(jsonPath, JSON.stringify(rows, null, 1) + "\n")
  const header = renderHeader({
    cpu: os.cpus()[0]?.model ?? "unknown CPU",
    cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    versions: {
      deno: (await versionOf("deno")).split(" ")[1],
      bun: await versionOf("bun"),
      ...pythonVersions(python ?? await findPython()),
    },
    date: new Date().toISOString().slice(0, 10),
    peersNote: python
      ? undefined
      : process.env.BENCH_PEERS === "0"
      ? "Python peers not run in this session (BENCH_PEERS=0)."
      : installHint,
  })
  const { withoutPeer, withoutOurs } = unjoined(rows)
  if (withoutPeer.length) console.log(`\nno Python peer row for: ${withoutPeer.join("; ")}`)
  if (withoutOurs.length) console.log(`\nno Deno/Bun row for: ${withoutOurs.join("; ")}`)
  writeFileSync(`${resultsDir}REPORT.md`, renderReport(rows, header, { charts: true }))
  for (const group of groupByWorkload(rows)) {
    writeFileSync(`${resultsDir}${chartFile(group.bench, group.workload)}`, renderChart(group))
  }
  writeLoopFigures()
  console.log(
    `\nwrote ${jsonPath}, ${resultsDir}REPORT.md, the charts and docs/loops.md's loop table`,
  )
}
