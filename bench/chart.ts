/**
 * The SVG bar chart of one workload (`bench/results/<bench>-<workload-slug>.svg`,
 * see `chartFile` in bench/report.ts). A pure function, no I/O: `bench/run.ts`
 * writes the files.
 */
import {
  displayName,
  fmt,
  higherIsBetter,
  orderRows,
  ratio,
  runtimeOrder,
  uvloopOf,
  type WorkloadGroup,
} from "./report.ts"

/** Each runtime's colour in the charts. */
const colour: Record<string, string> = {
  deno: "#3f4a5a",
  bun: "#e0729c",
  asyncio: "#3776ab",
  uvloop: "#e8b923",
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")

const truncate = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`

/**
 * A horizontal bar chart of one workload: a bar per runtime and variant at
 * its median, a whisker from min to max, the median written beside it,
 * coloured by runtime (baselines paler), with its ratio to uvloop and a
 * dashed line at uvloop's median. Hand-written SVG, no dependency.
 */
export const renderChart = (group: WorkloadGroup): string => {
  const rows = orderRows(group.rows)
  const width = 760
  const labelWidth = 300
  const valueWidth = 170
  const top = 52
  const barHeight = 16
  const rowHeight = 24
  const plotWidth = width - labelWidth - valueWidth - 20
  const lo = Math.min(0, ...rows.map((r) => r.min))
  const hi = Math.max(0, ...rows.map((r) => r.max))
  const span = hi - lo || 1
  const x = (v: number) => labelWidth + ((v - lo) / span) * plotWidth
  const runtimes = runtimeOrder.filter((rt) => rows.some((r) => r.runtime === rt))
  const legendY = top + rows.length * rowHeight + 16
  const height = legendY + 24
  const n = (v: number) => Number(v.toFixed(1))
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title>${escapeXml(`${group.bench}: ${group.workload}`)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600" fill="#111">${
      escapeXml(`${group.bench}: ${group.workload}`)
    }</text>`,
    `<text x="12" y="40" fill="#555">${
      escapeXml(
        `${group.unit}, ${
          higherIsBetter(group.unit) ? "higher" : "lower"
        } is better · bar: median · whisker: min–max`,
      )
    }</text>`,
    `<line x1="${n(x(0))}" y1="${top - 4}" x2="${n(x(0))}" y2="${
      top + rows.length * rowHeight
    }" stroke="#999" stroke-width="1"/>`,
  ]
  // uvloop's median as a dashed reference line: the claim the chart is about.
  const uvloop = rows.find((r) => r.runtime === "uvloop")
  if (uvloop) {
    out.push(
      `<line class="uvloop-ref" x1="${n(x(uvloop.median))}" y1="${top - 4}" x2="${
        n(x(uvloop.median))
      }" y2="${
        top + rows.length * rowHeight
      }" stroke="${colour.uvloop}" stroke-width="1.5" stroke-dasharray="4 3"/>`,
    )
  }
  rows.forEach((row, i) => {
    const y = top + i * rowHeight
    const mid = y + barHeight / 2
    const label = `${displayName[row.runtime] ?? row.runtime} · ${row.variant}${
      row.baseline ? " (baseline)" : ""
    }`
    const x0 = Math.min(x(0), x(row.median))
    const w = Math.abs(x(row.median) - x(0))
    out.push(
      `<g class="bar" data-runtime="${escapeXml(row.runtime)}">`,
      `<text x="${labelWidth - 8}" y="${mid + 4}" text-anchor="end" fill="#222">${
        escapeXml(truncate(label, 46))
      }</text>`,
      `<rect x="${n(x0)}" y="${y}" width="${n(Math.max(w, 1))}" height="${barHeight}" fill="${
        colour[row.runtime] ?? "#888"
      }"${row.baseline ? ' fill-opacity="0.45"' : ""}/>`,
      `<path d="M${n(x(row.min))} ${mid}H${n(x(row.max))}M${n(x(row.min))} ${mid - 4}V${mid + 4}M${
        n(x(row.max))
      } ${mid - 4}V${mid + 4}" stroke="#111" stroke-width="1" fill="none"/>`,
      `<text x="${n(Math.max(x(row.max), x(row.median), x(0)) + 6)}" y="${mid + 4}" fill="#111">${
        escapeXml(fmt(row.median))
      }${
        uvloop && row.runtime !== "uvloop"
          ? `<tspan fill="#666" dx="6">· ${
            escapeXml(ratio(row, uvloopOf(row, rows)))
          } uvloop</tspan>`
          : ""
      }</text>`,
      `</g>`,
    )
  })
  let legendX = labelWidth
  for (const rt of runtimes) {
    out.push(
      `<rect x="${legendX}" y="${legendY}" width="12" height="12" fill="${colour[rt]}"/>`,
      `<text x="${legendX + 16}" y="${legendY + 10}" fill="#222">${displayName[rt]}</text>`,
    )
    legendX += 90
  }
  out.push("</svg>")
  return out.join("\n") + "\n"
}
