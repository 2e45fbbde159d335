/**
 * The Python peers (`bench/peers/asyncio/<bench>.py`): finding a Python that
 * has uvloop and aiohttp, running a peer for one workload under one loop, and
 * merging several runs into one row per runtime.
 *
 * `bench/run.ts` uses this for `npm run bench`; the tests use it to skip when
 * no such Python is installed.
 */
import { spawn } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import process from "node:process"
import { type BenchRow, parseRowLine } from "./row.ts"
import { sideDefs, workloadDef } from "./workloads.ts"

/** Where the peer scripts are: one `<bench>.py` per `bench/<bench>.bench.ts`. */
export const peerDir: string = new URL("./peers/asyncio/", import.meta.url).pathname

/** The two loops a peer runs under, as the `runtime` of its rows. */
export const peerLoops = ["asyncio", "uvloop"] as const
export type PeerLoop = typeof peerLoops[number]

/** A Python interpreter that can run the peers, with the versions for the report. */
export interface Python {
  readonly exe: string
  readonly python: string
  readonly uvloop: string
  readonly aiohttp: string
}

/** What to tell someone whose machine has no such Python. */
export const installHint =
  "Python peers skipped: no python3 with uvloop and aiohttp found ($BENCH_PYTHON if set, else " +
  "/usr/bin/python3 and python3). On Debian/Ubuntu: `sudo apt-get install python3-uvloop " +
  "python3-aiohttp`; elsewhere: `python3 -m pip install uvloop aiohttp`."

const probe = `import json, sys, uvloop, aiohttp
print(json.dumps({"python": sys.version.split()[0], "uvloop": uvloop.__version__, "aiohttp": aiohttp.__version__}))`

const capture = (exe: string, args: ReadonlyArray<string>, timeoutMs = 20_000) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    let stdout = ""
    let stderr = ""
    const child = spawn(exe, args, { stdio: ["ignore", "pipe", "pipe"] })
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c))
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c))
    child.on("error", (error) => {
      clearTimeout(timer)
      resolve({ code: null, stdout, stderr: String(error) })
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

/**
 * The first of `/usr/bin/python3`, `python3` (or only `$BENCH_PYTHON` when it
 * is set) that imports both uvloop and aiohttp, or `undefined`. The system
 * Python comes first because Debian's packages install them there, and a
 * pyenv `python3` on the PATH would hide it.
 */
export const findPython = async (
  candidates: ReadonlyArray<string> = process.env.BENCH_PYTHON
    ? [process.env.BENCH_PYTHON]
    : ["/usr/bin/python3", "python3"],
): Promise<Python | undefined> => {
  for (const exe of candidates) {
    if (exe.startsWith("/") && !existsSync(exe)) continue
    const { code, stdout } = await capture(exe, ["-c", probe])
    if (code !== 0) continue
    try {
      return { exe, ...JSON.parse(stdout.trim()) }
    } catch {
      continue
    }
  }
  return undefined
}

/** Peers that need a Python module besides uvloop and aiohttp, and how to install it. */
export const peerNeeds: Readonly<
  Record<string, { readonly module: string; readonly hint: string }>
> = {
  "executor-cluster": {
    module: "distributed",
    hint: "executor-cluster peer skipped: Dask distributed is not installed. On Debian/Ubuntu: " +
      "`sudo apt-get install python3-distributed`; elsewhere: `python3 -m pip install distributed`.",
  },
}

/** Why `bench`'s peer cannot run with `python` (its install hint), or undefined when it can. */
export const missingPeerNeed = async (
  python: Pick<Python, "exe">,
  bench: string,
): Promise<string | undefined> => {
  const need = peerNeeds[bench]
  if (need === undefined) return undefined
  const { code } = await capture(python.exe, ["-c", `import ${need.module}`])
  return code === 0 ? undefined : need.hint
}

/** The peer scripts (bench names) whose name contains one of `filters` (all when empty). */
export const peerBenches = (filters: ReadonlyArray<string> = []): Array<string> =>
  readdirSync(peerDir)
    .filter((f) => f.endsWith(".py") && !f.startsWith("_"))
    .map((f) => f.slice(0, -3))
    .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
    .sort()

/** The workload names bench/workloads.json defines for a bench's Python peer (not the TS-only ones). */
export const workloadsOf = (bench: string): Array<string> =>
  sideDefs("peer").filter((w) => w.bench === bench).map((w) => w.workload)

/** Reads the `BENCH {json}` lines of a peer's output. */
export const parseRows = (stdout: string): Array<BenchRow> =>
  stdout.split("\n").flatMap((line) => parseRowLine(line) ?? [])

export interface PeerOptions {
  /** Only these workloads (all of the bench's when absent). */
  readonly workloads?: ReadonlyArray<string>
  /** The tiny sizes, for tests. */
  readonly quick?: boolean
  /** Samples per workload (the peer's default from workloads.json when absent). */
  readonly samples?: number
  readonly timeoutMs?: number
}

/** Runs `bench/peers/asyncio/<bench>.py` under `loop` and returns its rows; rejects on failure. */
export const runPeer = async (
  python: Pick<Python, "exe">,
  bench: string,
  loop: PeerLoop,
  options: PeerOptions = {},
): Promise<Array<BenchRow>> => {
  const args = [
    `${peerDir}${bench}.py`,
    "--loop",
    loop,
    ...(options.quick ? ["--quick"] : []),
    ...(options.samples ? ["--samples", String(options.samples)] : []),
    ...(options.workloads ?? []).flatMap((w) => ["--workload", w]),
  ]
  const { code, stdout, stderr } = await capture(python.exe, args, options.timeoutMs ?? 900_000)
  if (code !== 0) {
    throw new Error(`${bench}.py --loop ${loop} exited ${code}\n${stderr}`)
  }
  return parseRows(stdout)
}

/**
 * Several runs of the same (bench, workload, variant, runtime) as one row:
 * the median of the runs' medians, the overall min and max, the samples
 * summed, and each extra figure's median over the runs (peak RSS: the max).
 */
export const mergeRuns = (rows: ReadonlyArray<BenchRow>): Array<BenchRow> => {
  const groups = new Map<string, Array<BenchRow>>()
  for (const row of rows) {
    const key = [row.bench, row.workload, row.variant, row.runtime].join("\u0000")
    groups.set(key, [...(groups.get(key) ?? []), row])
  }
  const upperMedian = (values: ReadonlyArray<number>) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  return [...groups.values()].map((runs) => {
    const keys = [...new Set(runs.flatMap((r) => Object.keys(r.extra ?? {})))]
    const extra = Object.fromEntries(keys.map((key) => {
      const values = runs.map((r) => r.extra?.[key]).filter((v): v is number => v !== undefined)
      return [key, key === "peakRssMiB" ? Math.max(...values) : upperMedian(values)]
    }))
    return {
      ...runs[0],
      median: upperMedian(runs.map((r) => r.median)),
      min: Math.min(...runs.map((r) => r.min)),
      max: Math.max(...runs.map((r) => r.max)),
      samples: runs.reduce((n, r) => n + r.samples, 0),
      ...(keys.length ? { extra } : {}),
    }
  })
}

/**
 * Runs every workload of a peer, one workload at a time: `rounds` runs under
 * each loop (fewer where the workload's `peer.rounds` says so), alternating
 * which loop goes first, then merges the runs.
 */
export const runPeerBench = async (
  python: Pick<Python, "exe">,
  bench: string,
  options: { readonly rounds?: number; readonly samples?: number; readonly quick?: boolean } = {},
  onRows: (rows: ReadonlyArray<BenchRow>, loop: PeerLoop) => void = () => {},
): Promise<Array<BenchRow>> => {
  const rows: Array<BenchRow> = []
  for (const workload of workloadsOf(bench)) {
    const rounds = Math.min(options.rounds ?? 2, workloadDef(bench, workload).peer?.rounds ?? 2)
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? peerLoops : [...peerLoops].reverse()
      for (const loop of order) {
        const fresh = await runPeer(python, bench, loop, { ...options, workloads: [workload] })
        onRows(fresh, loop)
        rows.push(...fresh)
      }
    }
  }
  return mergeRuns(rows)
}
