/**
 * `npm run bench`: runs every `bench/*.bench.ts` on Deno and on Bun, one
 * bench at a time, the two runtimes back to back, and writes
 * `bench/results/results.json` (every row) and `bench/results/REPORT.md` (a
 * table per workload: each variant's median on both runtimes, min–max, and
 * its ratio to the baseline measured in the same run).
 *
 * `npm run bench -- executor` runs only the benches whose name contains
 * "executor"; their rows replace the old ones and the rest are kept.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import os from "node:os"
import process from "node:process"
import type { BenchRow } from "./_harness.ts"
import { type RuntimeName, scriptCommand } from "effect-asyncio/runtime"

const here = new URL(".", import.meta.url).pathname
const resultsDir = `${here}results/`
const filters = process.argv.slice(2)

const benches = readdirSync(here)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort()

const runOne = (file: string, runtime: RuntimeName) =>
  new Promise<Array<BenchRow>>((resolve, reject) => {
    const [exe, ...args] = scriptCommand(`${here}${file}`, [], runtime)
    console.log(`\n=== ${file} on ${runtime}`)
    const child = spawn(exe, args, { stdio: ["ignore", "pipe", "inherit"] })
    const rows: Array<BenchRow> = []
    let buffer = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk
      const lines = buffer.split("\n")
      buffer = lines.pop() ?? ""
      for (const line of lines) {
        if (!line.startsWith("BENCH ")) {
          console.log(line)
          continue
        }
        const row = JSON.parse(line.slice(6)) as BenchRow
        rows.push(row)
        console.log(`  ${row.workload} | ${row.variant}: ${fmt(row.median)} ${row.unit}`)
      }
    })
    child.on(
      "close",
      (code) =>
        code === 0 ? resolve(rows) : reject(new Error(`${file} on ${runtime} exited ${code}`)),
    )
  })

const fmt = (n: number) =>
  n >= 100 ? Math.round(n).toLocaleString("en") : n >= 10 ? n.toFixed(1) : n.toFixed(2)

/** Lower is better for times, higher for rates. */
const higherIsBetter = (unit: string) => unit.endsWith("/s")

export const renderReport = (rows: ReadonlyArray<BenchRow>, header: string): string => {
  const out = [header]
  const workloads = [...new Set(rows.map((r) => `${r.bench}\u0000${r.workload}`))]
  for (const key of workloads) {
    const [bench, workload] = key.split("\u0000")
    const group = rows.filter((r) => r.bench === bench && r.workload === workload)
    const runtimes = ["deno", "bun"].filter((rt) => group.some((r) => r.runtime === rt))
    const unit = group[0].unit
    out.push(
      `\n## ${bench}: ${workload} (${unit}, ${
        higherIsBetter(unit) ? "higher" : "lower"
      } is better)\n`,
    )
    out.push(
      `| variant | ${runtimes.map((rt) => `${rt} median | min–max | vs baseline`).join(" | ")} |`,
    )
    out.push(`|---|${runtimes.map(() => "---:|---:|---:").join("|")}|`)
    for (const variant of [...new Set(group.map((r) => r.variant))]) {
      const cells = runtimes.map((rt) => {
        const row = group.find((r) => r.variant === variant && r.runtime === rt)
        const base = group.find((r) => r.baseline && r.runtime === rt)
        if (!row) return "– | – | –"
        const ratio = base ? row.median / base.median : undefined
        const rss = row.extra?.peakRssMiB === undefined ? "" : ` (${row.extra.peakRssMiB} MiB)`
        return `${fmt(row.median)}${rss} | ${fmt(row.min)}–${fmt(row.max)} | ${
          ratio === undefined ? "–" : `${ratio.toFixed(2)}×`
        }`
      })
      const isBase = group.some((r) => r.variant === variant && r.baseline)
      out.push(`| ${isBase ? `**${variant}**` : variant} | ${cells.join(" | ")} |`)
    }
  }
  return out.join("\n") + "\n"
}

const versionOf = (runtime: RuntimeName) =>
  new Promise<string>((resolve) => {
    const [exe] = scriptCommand("x", [], runtime)
    const child = spawn(exe, ["--version"], { stdio: ["ignore", "pipe", "ignore"] })
    let out = ""
    child.stdout.on("data", (c) => (out += c))
    child.on("close", () => resolve(out.split("\n")[0].trim()))
  })

if (import.meta.main) {
  mkdirSync(resultsDir, { recursive: true })
  const jsonPath = `${resultsDir}results.json`
  const previous: Array<BenchRow> = existsSync(jsonPath)
    ? JSON.parse(readFileSync(jsonPath, "utf8"))
    : []
  const fresh: Array<BenchRow> = []
  for (const file of benches) {
    for (const runtime of ["deno", "bun"] as const) fresh.push(...(await runOne(file, runtime)))
  }
  const freshBenches = new Set(fresh.map((r) => r.bench))
  const rows = [...previous.filter((r) => !freshBenches.has(r.bench)), ...fresh]
  writeFileSync(jsonPath, JSON.stringify(rows, null, 1) + "\n")
  const cpu = os.cpus()[0]?.model ?? "unknown CPU"
  const header = [
    "# Bench report",
    "",
    `Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB.`,
    `Runtimes: ${await versionOf("deno")}; bun ${await versionOf("bun")}. Written ${
      new Date().toISOString().slice(0, 10)
    } by \`npm run bench\`.`,
    "",
    "Medians over several samples in one process per runtime; ratios are to the baseline row",
    "(bold) measured in the same run on the same runtime. Peak RSS in parentheses where measured.",
  ].join("\n")
  writeFileSync(`${resultsDir}REPORT.md`, renderReport(rows, header))
  console.log(`\nwrote ${jsonPath} and ${resultsDir}REPORT.md`)
}
