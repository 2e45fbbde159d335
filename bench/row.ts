/**
 * The row every bench and Python peer prints, one per measured variant, as a
 * line `BENCH {json}` on stdout; `bench/run.ts` collects them into
 * `bench/results/`.
 */

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

const PREFIX = "BENCH "

/** The line a bench prints for `row`. */
export const rowLine = (row: BenchRow): string => `${PREFIX}${JSON.stringify(row)}`

/** The row of a `BENCH {json}` line; undefined for any other line. */
export const parseRowLine = (line: string): BenchRow | undefined =>
  line.startsWith(PREFIX) ? JSON.parse(line.slice(PREFIX.length)) as BenchRow : undefined
