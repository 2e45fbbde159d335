/**
 * Bench for recipes/graceful-shutdown.ts — how long a graceful shutdown
 * takes: the recipe runs as a child process on this runtime; once it has
 * printed its first line, SIGTERM is sent, and the time until the child has
 * exited (its handler cancelled the worker, the cleanup ran) is the figure
 * (bench/workloads.json). Startup is not timed.
 *
 * Variants: the recipe (`addSignalHandler`, the baseline), and `run`'s own
 * handling of SIGTERM with no handler (main interrupted, finalizers run, exit
 * 143; tests/fixtures/run-exit.ts). The Python peer
 * (bench/peers/asyncio/graceful-shutdown.py) times its twin on asyncio and uvloop.
 */
import { fromRoot } from "../scripts/support.ts"
import { runAndSignal } from "../scripts/signal-run.ts"
import { runBench, type Workload } from "./_harness.ts"
import { fromDef } from "./workloads.ts"

const shutdown = async (
  script: string,
  args: ReadonlyArray<string>,
  when: RegExp,
  code: number,
) => {
  const run = await runAndSignal(fromRoot(script), {
    args,
    signal: "SIGTERM",
    when,
    denoFlags: [],
    timeoutMs: 60_000,
  })
  if (run.code !== code || run.killedBy !== null) {
    throw new Error(`${script} ended with ${run.code} (${run.killedBy}): ${run.stderr}`)
  }
  return run.msAfterSignal
}

const workload = (): Workload => ({
  ...fromDef("graceful-shutdown", "SIGTERM to exit"),
  variants: [
    {
      name: "addSignalHandler (the recipe)",
      baseline: true,
      selfTimed: true,
      run: () => shutdown("recipes/graceful-shutdown.ts", [], /^working/, 143),
    },
    {
      name: "run's own SIGTERM handling (no handler)",
      selfTimed: true,
      run: () => shutdown("tests/fixtures/run-exit.ts", ["sigint"], /^ready$/, 143),
    },
  ],
})

if (import.meta.main) await runBench([workload()])
