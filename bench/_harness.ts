/**
 * The bench harness every `bench/<recipe>.bench.ts` uses. A bench measures
 * each variant of a workload several times in one process (mitata's
 * `measure`), and prints one JSON line per variant (prefixed `BENCH `), which
 * `bench/run.ts` collects from both runtimes into `bench/results/`.
 *
 * Figures are medians over the samples, with min and max beside them. Peak
 * RSS is read from Linux's `/proc/self/status` (VmHWM), reset before each
 * workload through `/proc/self/clear_refs`.
 *
 * Garbage is collected before every sample, outside the timed part (mitata's
 * `inner_gc`; `_gc.ts` gives Deno a real `gc()`), so a variant does not pay
 * for the garbage of the one measured before it.
 */
import { collectGarbage } from "./_gc.ts"
import { measure } from "mitata"
import { readFileSync, writeFileSync } from "node:fs"
import { runtime } from "effect-asyncio/runtime"

/** One measured variant of one workload on one runtime. */
export interface BenchRow {
  readonly bench: string
  readonly workload: string
  readonly variant: string
  /** true for the baseline the other variants are compared against. */
  readonly baseline: boolean
  readonly runtime: string
  readonly unit: string
  readonly median: number
  readonly min: number
  readonly max: number
  readonly samples: number
  /** Secondary figures, e.g. `peakRssMiB`. */
  readonly extra?: Record<string, number>
}

export interface Variant {
  readonly name: string
  readonly baseline?: boolean
  /** Runs the workload once. */
  readonly run: () => unknown
  /**
   * The variant times itself: `run` resolves to the milliseconds of the part
   * that counts (e.g. from `set` to the last woken waiter, without the setup),
   * and the harness takes those instead of the wall time of `run`. It may
   * resolve to `{ ms, extra }` instead, to report secondary figures too (their
   * medians go into the row's `extra`, as the Python peers do).
   */
  readonly selfTimed?: boolean
}

export interface Workload {
  readonly bench: string
  readonly workload: string
  /** How the time of one run becomes the reported figure. */
  readonly unit: "ms" | "µs/task" | "ns/op" | "ops/s"
  /** Tasks or operations in one run (for per-task units). */
  readonly ops: number
  readonly samples?: number
  readonly variants: ReadonlyArray<Variant>
}

const peakRssMiB = (): number | undefined => {
  try {
    const kb = readFileSync("/proc/self/status", "utf8").match(/VmHWM:\s+(\d+) kB/)?.[1]
    return kb ? Number(kb) / 1024 : undefined
  } catch {
    return undefined
  }
}

const resetPeakRss = () => {
  try {
    writeFileSync("/proc/self/clear_refs", "5")
  } catch {
    // not Linux, or not allowed: the figure is then the process-wide peak
  }
}

const convert = (unit: Workload["unit"], ops: number, ns: number): number => {
  switch (unit) {
    case "ms":
      return ns / 1e6
    case "µs/task":
      return ns / 1e3 / ops
    case "ns/op":
      return ns / ops
    case "ops/s":
      return ops / (ns / 1e9)
  }
}

/** Quick mode (`BENCH_QUICK=1`, used by the tests) takes 2 samples of each variant. */
const quick = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
  ?.env.BENCH_QUICK === "1"

/** What a self-timed variant's `run` resolves to: ms, or ms with secondary figures. */
export type SelfTimed = number | { readonly ms: number; readonly extra: Record<string, number> }

const upperMedian = (values: ReadonlyArray<number>) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/**
 * Runs a self-timed variant once to warm up, then `samples` times; its own
 * figures in ns, and the median of each secondary figure.
 */
const selfTimed = async (
  variant: Variant,
  samples: number,
): Promise<{ nanos: Array<number>; extra: Record<string, number> }> => {
  await variant.run()
  const nanos: Array<number> = []
  const extras: Array<Record<string, number>> = []
  for (let i = 0; i < samples; i++) {
    collectGarbage()
    const result = (await variant.run()) as SelfTimed
    nanos.push((typeof result === "number" ? result : result.ms) * 1e6)
    if (typeof result !== "number") extras.push(result.extra)
  }
  const keys = extras.length ? Object.keys(extras[0]) : []
  return {
    nanos,
    extra: Object.fromEntries(keys.map((k) => [k, upperMedian(extras.map((e) => e[k]))])),
  }
}

/** Measures every variant of `workload` and prints its rows. */
export const runWorkload = async (workload: Workload): Promise<Array<BenchRow>> => {
  const rows: Array<BenchRow> = []
  const samples = quick ? 2 : workload.samples ?? 7
  for (const variant of workload.variants) {
    resetPeakRss()
    const own = variant.selfTimed ? await selfTimed(variant, samples) : undefined
    const stats = own ? { samples: own.nanos } : await measure(
      variant.run,
      {
        min_samples: samples,
        max_samples: samples,
        warmup_samples: 1,
        min_cpu_time: 0,
        batch_samples: 0,
        batch_unroll: 1,
        inner_gc: true,
      } as Parameters<typeof measure>[1],
    )
    const values = stats.samples.map((ns) => convert(workload.unit, workload.ops, ns)).sort((
      a,
      b,
    ) => a - b)
    const rss = peakRssMiB()
    const row: BenchRow = {
      bench: workload.bench,
      workload: workload.workload,
      variant: variant.name,
      baseline: variant.baseline ?? false,
      runtime: runtime.name,
      unit: workload.unit,
      median: values[Math.floor(values.length / 2)],
      min: values[0],
      max: values[values.length - 1],
      samples: values.length,
      ...(rss === undefined && !own?.extra ? {} : {
        extra: { ...own?.extra, ...(rss === undefined ? {} : { peakRssMiB: Math.round(rss) }) },
      }),
    }
    rows.push(row)
    console.log(`BENCH ${JSON.stringify(row)}`)
  }
  return rows
}

/** Runs the workloads one after another. */
export const runBench = async (workloads: ReadonlyArray<Workload>): Promise<void> => {
  for (const workload of workloads) await runWorkload(workload)
}
