/**
 * The bench report: `bench/results/REPORT.md`, one table per workload, built
 * from the rows every bench and Python peer prints (the charts beside it are
 * bench/chart.ts). Pure functions, no I/O: `bench/run.ts` writes the files,
 * the tests check the output.
 *
 * A workload measured only by our TypeScript benches keeps the compact table
 * (variants × Deno/Bun). A workload that also has Python peer rows (runtime
 * `asyncio` or `uvloop`) gets one row per runtime and variant (Deno, Bun,
 * asyncio, uvloop), each with its ratio to the baseline measured in the same
 * run and its ratio to uvloop.
 */
import type { BenchRow } from "./row.ts"
import { type WorkloadDef, workloadDefs } from "./workloads.ts"

/** The order and the display names of the runtimes in tables and charts. */
export const runtimeOrder = ["deno", "bun", "asyncio", "uvloop"] as const
export const displayName: Record<string, string> = {
  deno: "Deno",
  bun: "Bun",
  asyncio: "asyncio",
  uvloop: "uvloop",
}
const runtimeRank = (runtime: string) => {
  const i = (runtimeOrder as ReadonlyArray<string>).indexOf(runtime)
  return i === -1 ? runtimeOrder.length : i
}

/** A Python peer's row. */
export const isPeer = (row: BenchRow): boolean =>
  row.runtime === "asyncio" || row.runtime === "uvloop"

/** Lower is better for times, higher for rates. */
export const higherIsBetter = (unit: string): boolean => unit.endsWith("/s")

/** A figure with 3 significant digits or so, thousands separated. */
export const fmt = (n: number): string =>
  Math.abs(n) >= 100
    ? Math.round(n).toLocaleString("en")
    : Math.abs(n) >= 10
    ? n.toFixed(1)
    : n.toFixed(2)

/** `"spawn-gather 100,000"` → `"spawn-gather-100-000"`. */
export const slug = (text: string): string =>
  text.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")

/** The chart's file name, inside `bench/results/`. */
export const chartFile = (bench: string, workload: string): string =>
  `${slug(bench)}-${slug(workload)}.svg`

/** One workload's rows, in the order they were first seen. */
export interface WorkloadGroup {
  readonly bench: string
  readonly workload: string
  readonly unit: string
  readonly rows: ReadonlyArray<BenchRow>
}

export const groupByWorkload = (rows: ReadonlyArray<BenchRow>): Array<WorkloadGroup> => {
  const keys = [...new Set(rows.map((r) => `${r.bench}\u0000${r.workload}`))]
  return keys.map((key) => {
    const [bench, workload] = key.split("\u0000")
    const group = rows.filter((r) => r.bench === bench && r.workload === workload)
    return { bench, workload, unit: group[0].unit, rows: group }
  })
}

/** The rows in report order: by runtime (Deno, Bun, asyncio, uvloop), variants as first seen. */
export const orderRows = (rows: ReadonlyArray<BenchRow>): Array<BenchRow> =>
  rows.map((row, i) => ({ row, i }))
    .sort((a, b) => runtimeRank(a.row.runtime) - runtimeRank(b.row.runtime) || a.i - b.i)
    .map(({ row }) => row)

/** The baseline measured in the same run on the same runtime, if any. */
const baselineOf = (row: BenchRow, group: ReadonlyArray<BenchRow>) =>
  group.find((r) => r.baseline && r.runtime === row.runtime)

/**
 * The uvloop row a row is compared with: uvloop's row of the same variant if
 * there is one (a peer's own rows), else uvloop's best row for the workload.
 */
export const uvloopOf = (
  row: BenchRow,
  group: ReadonlyArray<BenchRow>,
): BenchRow | undefined => {
  const uvloop = group.filter((r) => r.runtime === "uvloop")
  const same = uvloop.find((r) => r.variant === row.variant)
  if (same) return same
  const better = higherIsBetter(row.unit)
    ? (a: number, b: number) => a > b
    : (a: number, b: number) => a < b
  return uvloop.reduce<BenchRow | undefined>(
    (best, r) => (best === undefined || better(r.median, best.median) ? r : best),
    undefined,
  )
}

/** `row`'s median ÷ `ref`'s, as `1.23×` ("–" without a reference). */
export const ratio = (row: BenchRow, ref: BenchRow | undefined): string =>
  ref && ref.median !== 0 ? `${(row.median / ref.median).toFixed(2)}×` : "–"

const rssOf = (row: BenchRow) =>
  row.extra?.peakRssMiB === undefined ? "" : ` (${row.extra.peakRssMiB} MiB)`

/** Secondary figures other than peak RSS, e.g. `maxLatenessMs 1.39`. */
const otherExtras = (row: BenchRow) =>
  Object.entries(row.extra ?? {}).filter(([key]) => key !== "peakRssMiB").map(([key, value]) =>
    `${key} ${fmt(value)}`
  ).join(", ")

const heading = (group: WorkloadGroup) =>
  `\n## ${group.bench}: ${group.workload} (${group.unit}, ${
    higherIsBetter(group.unit) ? "higher" : "lower"
  } is better)\n`

/** The compact table of a workload that only our own benches measured (variants × runtimes). */
const ownTable = (group: WorkloadGroup): Array<string> => {
  const rows = group.rows
  const runtimes = ["deno", "bun"].filter((rt) => rows.some((r) => r.runtime === rt))
  const out = [
    `| variant | ${runtimes.map((rt) => `${rt} median | min–max | vs baseline`).join(" | ")} |`,
    `|---|${runtimes.map(() => "---:|---:|---:").join("|")}|`,
  ]
  for (const variant of [...new Set(rows.map((r) => r.variant))]) {
    const cells = runtimes.map((rt) => {
      const row = rows.find((r) => r.variant === variant && r.runtime === rt)
      if (!row) return "– | – | –"
      return `${fmt(row.median)}${rssOf(row)} | ${fmt(row.min)}–${fmt(row.max)} | ${
        ratio(row, baselineOf(row, rows))
      }`
    })
    const isBase = rows.some((r) => r.variant === variant && r.baseline)
    out.push(`| ${isBase ? `**${variant}**` : variant} | ${cells.join(" | ")} |`)
  }
  return out
}

/** The table of a workload with Python peers: one row per runtime and variant. */
const peerTable = (group: WorkloadGroup): Array<string> => {
  const rows = orderRows(group.rows)
  const notes = rows.some((r) => otherExtras(r) !== "")
  const out = [
    `| runtime | variant | median | min–max | vs baseline | vs uvloop |${notes ? " notes |" : ""}`,
    `|---|---|---:|---:|---:|---:|${notes ? "---|" : ""}`,
  ]
  for (const row of rows) {
    const variant = row.baseline ? `**${row.variant}**` : row.variant
    out.push(
      `| ${displayName[row.runtime] ?? row.runtime} | ${variant} | ${fmt(row.median)}${
        rssOf(row)
      } | ${fmt(row.min)}–${fmt(row.max)} | ${ratio(row, baselineOf(row, group.rows))} | ${
        ratio(row, uvloopOf(row, group.rows))
      } |${notes ? ` ${otherExtras(row)} |` : ""}`,
    )
  }
  return out
}

export interface ReportOptions {
  /** Link each workload's chart (`chartFile`) below its table. */
  readonly charts?: boolean
  /** The workload definitions (bench/workloads.json's by default): marks one-sided workloads. */
  readonly defs?: ReadonlyArray<WorkloadDef>
}

/** The definition of a workload measured on one side by design (`only` in workloads.json). */
export const oneSided = (
  group: { readonly bench: string; readonly workload: string },
  defs: ReadonlyArray<WorkloadDef> = workloadDefs,
): WorkloadDef | undefined =>
  defs.find((d) => d.bench === group.bench && d.workload === group.workload && d.only)

/** The note under a one-sided workload's heading: which side, and why. */
const oneSidedNote = (def: WorkloadDef): string =>
  `${def.only === "ts" ? "Deno/Bun only" : "Python peers only"}, by design: ${def.why ?? ""}`

/** REPORT.md: the header, then one table (and chart link) per workload. */
/**
 * Workloads measured on one side only — our runtimes but no Python peer, or
 * a peer but none of ours — named `bench: workload`. Empty when no peer row
 * exists at all. A name here usually means the two sides spell the workload
 * differently: both should take it from bench/workloads.json.
 */
export const unjoined = (
  rows: ReadonlyArray<BenchRow>,
  defs: ReadonlyArray<WorkloadDef> = workloadDefs,
): { readonly withoutPeer: Array<string>; readonly withoutOurs: Array<string> } => {
  const groups = groupByWorkload(rows).filter((g) => oneSided(g, defs) === undefined)
  if (!rows.some(isPeer)) return { withoutPeer: [], withoutOurs: [] }
  const name = (g: WorkloadGroup) => `${g.bench}: ${g.workload}`
  return {
    withoutPeer: groups.filter((g) => !g.rows.some(isPeer)).map(name),
    withoutOurs: groups.filter((g) => g.rows.every(isPeer)).map(name),
  }
}

export const renderReport = (
  rows: ReadonlyArray<BenchRow>,
  header: string,
  options: ReportOptions = {},
): string => {
  const out = [header]
  const defs = options.defs ?? workloadDefs
  const { withoutPeer, withoutOurs } = unjoined(rows, defs)
  for (
    const [list, text] of [
      [withoutPeer, "Measured on Deno/Bun with no Python peer row"],
      [withoutOurs, "Measured by the Python peers only, no Deno/Bun row yet"],
    ] as const
  ) {
    if (list.length) out.push("", `${text}: ${list.map((w) => `*${w}*`).join("; ")}.`)
  }
  for (const group of groupByWorkload(rows)) {
    out.push(heading(group))
    const def = oneSided(group, defs)
    if (def) out.push(`*${oneSidedNote(def)}*`, "")
    out.push(...(group.rows.some(isPeer) ? peerTable(group) : ownTable(group)))
    if (options.charts) {
      out.push(
        "",
        `![${group.bench}: ${group.workload}](${chartFile(group.bench, group.workload)})`,
      )
    }
  }
  return out.join("\n") + "\n"
}

/** What the header says about the machine and the software. */
export interface ReportContext {
  readonly cpu: string
  readonly cores: number
  readonly memGiB: number
  /** e.g. `{ deno: "2.9.6", bun: "1.4.5", python: "3.11.2", uvloop: "0.17.0", aiohttp: "3.8.4" }` */
  readonly versions: Readonly<Record<string, string | undefined>>
  /** `YYYY-MM-DD` */
  readonly date: string
  /** Shown when the Python peers did not run (e.g. how to install them). */
  readonly peersNote?: string
}

export const renderHeader = (context: ReportContext): string => {
  const versions = Object.entries(context.versions)
    .map(([name, version]) => `${name} ${version ?? "not found"}`)
    .join(", ")
  return [
    "# Bench report",
    "",
    `Machine: ${context.cpu}, ${context.cores} cores, ${context.memGiB} GiB.`,
    `Versions: ${versions}. Written ${context.date} by \`npm run bench\`.`,
    "",
    "Medians over several samples (TypeScript: in one process per runtime; Python peers: several",
    "processes per loop, alternating asyncio and uvloop, median of the runs' medians). *vs baseline*",
    "is the median ÷ the bold baseline's median measured in the same run on the same runtime;",
    "*vs uvloop* is the median ÷ uvloop's median for the same workload (uvloop's row of the same",
    "variant for the Python rows, else its best row). Read both with the unit: for times below 1×",
    "is faster, for rates above 1× is faster. Peak RSS in parentheses where measured. Workload",
    "definitions: [bench/workloads.json](../workloads.json).",
    ...(context.peersNote ? ["", `> ${context.peersNote}`] : []),
  ].join("\n")
}
