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
 *
 * A variant marked `noAsyncContext` (see {@link withNoAsyncContext}) needs a
 * program that opted in to `effect-asyncio/no-async-context`, which is a
 * whole-program choice: after a workload's other variants, the bench runs
 * itself again in a child process with that module preloaded, measuring only
 * those variants of that workload; its rows go to the same stdout.
 */
import { collectGarbage } from "./_gc.ts"
import { measure } from "mitata"
import { spawn } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import process from "node:process"
import { capturesAsyncContext } from "../lib/internal/async-context.ts"
import { runtime } from "../lib/internal/runtime.ts"
import { scriptCommand } from "../scripts/support.ts"
import { type BenchRow, rowLine } from "./row.ts"

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
  /** Measured in a child process that opted in to `effect-asyncio/no-async-context`. */
  readonly noAsyncContext?: boolean
}

/** The module a `noAsyncContext` variant's process preloads. */
export const noAsyncContextModule = "effect-asyncio/no-async-context"

/**
 * The variants, then each again as "… + no async context": the same run, in
 * a process that opted in to `effect-asyncio/no-async-context`.
 */
export const withNoAsyncContext = (variants: ReadonlyArray<Variant>): Array<Variant> => [
  ...variants,
  ...variants.map((v) => ({
    ...v,
    name: `${v.name} + no async context`,
    baseline: false,
    noAsyncContext: true,
  })),
]

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
const quick = process.env.BENCH_QUICK === "1"

/** In a child run for `noAsyncContext` variants: the one workload it measures. */
const childWorkload = process.env.BENCH_NO_ASYNC_CONTEXT_WORKLOAD

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

/** The bench's own file, to run again in a child process. */
const mainScript = (): string => {
  const g = globalThis as { Deno?: { mainModule: string }; Bun?: { main: string } }
  return g.Bun ? g.Bun.main : fileURLToPath(g.Deno!.mainModule)
}

/**
 * Runs this bench again with `effect-asyncio/no-async-context` preloaded,
 * measuring only `workload`'s `noAsyncContext` variants. The child shares
 * this process's stdout, so its rows reach `bench/run.ts` as this one's do.
 */
const runInOptedInChild = (workload: Workload): Promise<void> =>
  new Promise((resolve, reject) => {
    const [exe, ...args] = scriptCommand(mainScript(), process.argv.slice(2), runtime.name, {
      preload: noAsyncContextModule,
    })
    const child = spawn(exe, args, {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, BENCH_NO_ASYNC_CONTEXT_WORKLOAD: workload.workload },
    })
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`the opted-in run of ${workload.workload} exited ${code}`)))
  })

/**
 * Measures every variant of `workload` and prints its rows; its
 * `noAsyncContext` variants run in a child process (see the module's doc).
 */
export const runWorkload = async (workload: Workload): Promise<void> => {
  if (childWorkload !== undefined) {
    if (workload.workload !== childWorkload) return
    if (capturesAsyncContext()) {
      throw new Error(`${noAsyncContextModule} did not take effect in the child run`)
    }
    return measureVariants(workload, workload.variants.filter((v) => v.noAsyncContext))
  }
  await measureVariants(workload, workload.variants.filter((v) => !v.noAsyncContext))
  if (workload.variants.some((v) => v.noAsyncContext)) await runInOptedInChild(workload)
}

const measureVariants = async (
  workload: Workload,
  variants: ReadonlyArray<Variant>,
): Promise<void> => {
  const samples = quick ? 2 : workload.samples ?? 7
  for (const variant of variants) {
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
    console.log(rowLine(row))
  }
}

/** Runs the workloads one after another. */
export const runBench = async (workloads: ReadonlyArray<Workload>): Promise<void> => {
  for (const workload of workloads) await runWorkload(workload)
}
