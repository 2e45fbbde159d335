/**
 * The tour: `npm start` runs every recipe once on Deno and once on Bun, each
 * as its own process with a time limit, and prints a table of the results.
 * It is not a pattern of its own; it proves that all the others run, on Deno
 * with only the permission flags each one's "Run it" line names.
 *
 * Run it:  npm start        (or: deno run -A scripts/tour.ts)
 */
import { readdirSync, readFileSync } from "node:fs"
import process from "node:process"
import type { RuntimeName } from "../lib/internal/runtime.ts"
import { denoFlagsOf, runScript } from "./support.ts"
import { runAndSignal } from "./signal-run.ts"

// Arguments a recipe gets in the tour, to keep the tour short.
const tourArgs: Record<string, ReadonlyArray<string>> = {
  "run-concurrently": ["--scale", "0.05"],
  "cpu-bound": ["--limit", "1000000"],
}

// Recipes that run until a signal: the tour sends it after a line, and expects its exit code.
const tourSignals: Record<string, { when: RegExp; signal: "SIGTERM"; code: number }> = {
  "graceful-shutdown": { when: /^tick 2$/, signal: "SIGTERM", code: 143 },
}

const here = new URL("../recipes/", import.meta.url).pathname
const recipes = readdirSync(here)
  .filter((file) => file.endsWith(".ts") && !file.startsWith("_"))
  .map((file) => file.slice(0, -3))
  .sort()

interface Row {
  readonly recipe: string
  readonly runtime: RuntimeName
  readonly ok: boolean
  readonly ms: number
  readonly output: string
}

const runOne = async (recipe: string, runtime: RuntimeName): Promise<Row> => {
  try {
    const signalled = tourSignals[recipe]
    if (signalled) {
      const script = `${here}${recipe}.ts`
      const run = await runAndSignal(script, {
        ...signalled,
        runtime,
        denoFlags: denoFlagsOf(readFileSync(script, "utf8")),
        timeoutMs: 60_000,
      })
      const ok = run.code === signalled.code
      return { recipe, runtime, ok, ms: run.ms, output: ok ? run.lines.join("\n") : run.stderr }
    }
    // On Deno, runScript grants a recipe only the flags its "Run it" line names.
    const run = await runScript(`${here}${recipe}.ts`, tourArgs[recipe] ?? [], {
      runtime,
      timeoutMs: 60_000,
    })
    const ok = run.code === 0
    return { recipe, runtime, ok, ms: run.ms, output: ok ? run.lines.join("\n") : run.stderr }
  } catch (error) {
    return { recipe, runtime, ok: false, ms: Number.NaN, output: String(error) }
  }
}

export const main = async (): Promise<boolean> => {
  const rows: Array<Row> = []
  for (const recipe of recipes) {
    for (const runtime of ["deno", "bun"] as const) {
      const row = await runOne(recipe, runtime)
      rows.push(row)
      console.log(`\n--- ${recipe} on ${runtime}\n${row.output}`)
    }
  }
  const width = Math.max(...recipes.map((r) => r.length), "recipe".length)
  console.log(`\n${"recipe".padEnd(width)}  runtime  result  wall time`)
  for (const row of rows) {
    const time = Number.isNaN(row.ms) ? "-" : `${Math.round(row.ms)} ms`
    console.log(
      `${row.recipe.padEnd(width)}  ${row.runtime.padEnd(7)}  ${
        (row.ok ? "ok" : "FAILED").padEnd(6)
      }  ${time.padStart(9)}`,
    )
  }
  const failed = rows.filter((row) => !row.ok).length
  console.log(`\n${rows.length - failed} ok, ${failed} failed`)
  return failed === 0
}

if (import.meta.main) process.exitCode = (await main()) ? 0 : 1
