/**
 * Probe for issue 22: the process pool's figures that a change to its child
 * must keep (round trip, `submit` and `map` throughput, RSS per child, CPU
 * speedup) or improve (cancel a running task → the next task starts). Run it
 * in two trees, alternating, to compare old and new:
 *
 *     deno run -A bench/_process-pool-probe.ts [all|tput|cancel|cpu] [reps]
 *     bun bench/_process-pool-probe.ts [all|tput|cancel|cpu] [reps]
 *
 * Prints one JSON line of medians over `reps` (default 5). It declares its
 * worker functions with `workerFunction`, or `task` in a tree from before
 * that rename, so the same file runs in both.
 */
import { Effect, Exit, Fiber, Scope } from "effect"
import * as executor from "effect-asyncio/executor"
import { execSync } from "node:child_process"
import { readFileSync } from "node:fs"
import process from "node:process"
import { runtime } from "../lib/internal/runtime.ts"
import { countPrimes } from "../recipes/cpu-bound.ts"

type Declare = <A extends Array<unknown>, R>(
  url: string,
  name: string,
  fn: (...args: A) => R,
) => executor.WorkerFunction<A, R>
const names = executor as unknown as Record<string, Declare | undefined>
const declare = (names.workerFunction ?? names.task)!

export const add = declare(import.meta.url, "add", (a: number, b: number) => a + b)
/** Now, in ms since the epoch: the same clock in the parent and in every child. */
const clock = () => performance.timeOrigin + performance.now()
export const now = declare(import.meta.url, "now", clock)
export const spin = declare(import.meta.url, "spin", (ms: number) => {
  const end = Date.now() + ms
  let turns = 0
  while (Date.now() < end) turns++
  return turns
})

const run = <A>(effect: Effect.Effect<A, unknown>) => Effect.runPromise(effect)
const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

const open = async (maxWorkers: number) => {
  const scope = Scope.makeUnsafe()
  const pool: executor.Executor = await run(
    Scope.provide(scope)(executor.ProcessPoolExecutor.make({ maxWorkers })),
  )
  // Start every child and load this module in each: nothing below times a cold start.
  await run(
    Effect.all(range(maxWorkers).map(() => pool.submit(spin, 200)), { concurrency: "unbounded" }),
  )
  return { pool, close: () => run(Scope.close(scope, Exit.void)) }
}

const childRssMb = () => {
  const lines = execSync(`ps -o pid=,comm= --ppid ${process.pid}`).toString().trim().split("\n")
  const kids = lines.map((l) => l.trim().split(/\s+/)).filter((x) => /deno|bun/.test(x[1] ?? ""))
  return median(kids.map(([pid]) => {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
  }))
}

const throughput = async (reps: number) => {
  const { pool, close } = await open(2)
  const roundTrip: Array<number> = [], submit: Array<number> = [], map: Array<number> = []
  for (let r = 0; r < reps; r++) {
    let t = performance.now()
    for (let i = 0; i < 2000; i++) await run(pool.submit(add, i, 1))
    roundTrip.push((performance.now() - t) * 1000 / 2000)
    t = performance.now()
    await run(
      Effect.all(range(10000).map((i) => pool.submit(add, i, 1)), { concurrency: "unbounded" }),
    )
    submit.push(10000 / ((performance.now() - t) / 1000))
    t = performance.now()
    await run(pool.map(add, range(10000), range(10000).fill(1)))
    map.push(10000 / ((performance.now() - t) / 1000))
  }
  const rss = childRssMb()
  await close()
  return {
    roundTripUs: median(roundTrip),
    submitOps: median(submit),
    mapOps: median(map),
    childRssMb: rss,
  }
}

/** Interrupt a running 10 s spin, then time until the next task starts in a child. */
const cancel = async (reps: number) => {
  const { pool, close } = await open(1)
  const latency: Array<number> = []
  for (let r = 0; r < reps; r++) {
    const fiber = Effect.runFork(pool.submit(spin, 10_000))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const t0 = clock()
    await run(Fiber.interrupt(fiber))
    latency.push(await run(pool.submit(now)) - t0)
  }
  await close()
  return { cancelNextStartMs: median(latency) }
}

/** 4 × primes below 1,000,000: here, one after another, then on a pool of 2. */
const cpu = async (reps: number) => {
  const { pool, close } = await open(2)
  const speedup: Array<number> = []
  for (let r = 0; r < reps; r++) {
    let t = performance.now()
    for (let i = 0; i < 4; i++) countPrimes(1_000_000)
    const here = performance.now() - t
    t = performance.now()
    await run(
      Effect.all(range(4).map(() => pool.submit(countPrimes, 1_000_000)), {
        concurrency: "unbounded",
      }),
    )
    speedup.push(here / (performance.now() - t))
  }
  await close()
  return { cpuSpeedup: median(speedup) }
}

if (import.meta.main) {
  const [mode = "all", reps = "5"] = process.argv.slice(2)
  const n = Number(reps)
  const out = {
    runtime: runtime.name,
    load: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
    ...(mode === "all" || mode === "tput" ? await throughput(n) : {}),
    ...(mode === "all" || mode === "cancel" ? await cancel(n) : {}),
    ...(mode === "all" || mode === "cpu" ? await cpu(n) : {}),
  }
  console.log(JSON.stringify(out))
}
