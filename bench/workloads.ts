/**
 * The workload definitions in `bench/workloads.json`, typed. The TypeScript
 * benches and their Python peers (`bench/peers/asyncio/*.py`) read the same
 * file, so both sides print the same `bench` and `workload` strings (the key
 * the report joins rows on) and run the same sizes.
 */
import definitions from "./workloads.json" with { type: "json" }
import type { Workload } from "./_harness.ts"

/** One workload as `bench/workloads.json` defines it. */
export interface WorkloadDef {
  readonly bench: string
  readonly workload: string
  readonly unit: Workload["unit"]
  /** The main size; what per-task and per-second units divide by. */
  readonly ops: number
  /** Other sizes (workers, message, intervals…). */
  readonly params?: Readonly<Record<string, unknown>>
  /** Samples per variant in the TypeScript harness. */
  readonly samples: number
  /** The exact definition both sides implement. */
  readonly what: string
  /** The Python peer's own settings: samples per process, warm-up runs, at most this many runs per loop. */
  readonly peer?: { readonly samples?: number; readonly warmup?: number; readonly rounds?: number }
  /** Overrides for the tests' tiny runs. */
  readonly quick?: { readonly ops?: number; readonly params?: Readonly<Record<string, unknown>> }
  /** Measured on one side only, by design: "ts" (no Python peer) or "peer" (no TypeScript bench). */
  readonly only?: "ts" | "peer"
  /** Why the workload is one-sided. */
  readonly why?: string
}

/** Every workload, in file order. */
export const workloadDefs: ReadonlyArray<WorkloadDef> = definitions.workloads as Array<WorkloadDef>

/** The workloads a side implements: "ts" (the TypeScript benches) or "peer" (the Python peers). */
export const sideDefs = (side: "ts" | "peer"): Array<WorkloadDef> =>
  workloadDefs.filter((w) => w.only === undefined || w.only === side)

/** The definition of one workload; throws if `bench/workloads.json` has no such workload. */
export const workloadDef = (bench: string, workload: string): WorkloadDef => {
  const def = workloadDefs.find((w) => w.bench === bench && w.workload === workload)
  if (!def) throw new Error(`bench/workloads.json defines no workload "${workload}" in "${bench}"`)
  return def
}

/**
 * The name, unit, size and sample count of a workload, to spread into a
 * harness `Workload`: `{ ...fromDef("run-concurrently", "spawn-gather 100,000"), variants }`.
 */
export const fromDef = (
  bench: string,
  workload: string,
): Pick<Workload, "bench" | "workload" | "unit" | "ops" | "samples"> => {
  const def = workloadDef(bench, workload)
  return { bench, workload, unit: def.unit, ops: def.ops, samples: def.samples }
}

/** A numeric parameter of a workload (`params[name]`); throws if it is missing. */
export const param = (bench: string, workload: string, name: string): number => {
  const value = workloadDef(bench, workload).params?.[name]
  if (typeof value !== "number") {
    throw new Error(`bench/workloads.json: "${bench}" / "${workload}" has no number params.${name}`)
  }
  return value
}

/** A string parameter of a workload (`params[name]`); throws if it is missing. */
export const textParam = (bench: string, workload: string, name: string): string => {
  const value = workloadDef(bench, workload).params?.[name]
  if (typeof value !== "string") {
    throw new Error(`bench/workloads.json: "${bench}" / "${workload}" has no string params.${name}`)
  }
  return value
}
