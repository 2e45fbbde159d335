/**
 * The seeded fault storm (tests/fixtures/executor-storm.ts) on both pool
 * kinds: every task ends once with the outcome its kind predicts, the pool
 * is usable afterwards, and the program exits on its own. The tasks journal
 * their runs: a task may run again only because a worker died while it ran
 * (`reran`), or, a known gap, because its worker was terminated later with
 * its result still unsent (`ranTwiceResultLost`: the runner sends the results
 * of a batch together, and the pool terminates a worker to stop a task it
 * cannot otherwise stop). Any other second run (`ranTwiceUnexplained`) fails.
 *
 * `npm test` runs one small storm per kind. The long mode runs many full
 * ones: `STORM_RUNS=20 STORM_TASKS=1000 deno test -A --no-check tests/lib/executor-storm.test.ts`
 * (or `bun test …`); `STORM_SEED` replays one seed. Each storm prints its
 * figures as a JSON line in the long mode.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import process from "node:process"
import { fromRoot, runScript } from "../../scripts/support.ts"

const runs = Number(process.env.STORM_RUNS ?? 1)
const tasks = Number(process.env.STORM_TASKS ?? 150)
const fixedSeed = process.env.STORM_SEED

for (const kind of ["thread", "process"] as const) {
  // Its own time limit, one that grows with the runs (bun test's preload sets 120 s for all).
  const timeout = runs * 600_000
  test(
    `executor storm (${kind}): ${runs} × ${tasks} mixed tasks, each ends once as predicted, none runs twice unexplained`,
    {
      timeout,
    },
    async () => {
      for (let run = 0; run < runs; run++) {
        const seed = fixedSeed !== undefined
          ? Number(fixedSeed)
          : Math.floor(Math.random() * 2 ** 31)
        const result = await runScript(
          fromRoot("tests/fixtures/executor-storm.ts"),
          [kind, String(seed), String(tasks)],
          { timeoutMs: 300_000 },
        ).catch((error) => {
          throw new Error(
            `storm ${kind} seed ${seed} did not exit: ${String(error).slice(0, 2000)}`,
          )
        })
        const line = result.lines.find((l) => l.startsWith("{"))
        assert.ok(
          line,
          `storm ${kind} seed ${seed}: no summary (exit ${result.code})\n${result.stderr}`,
        )
        const summary = JSON.parse(line)
        if (runs > 1 || summary.ranTwice > 0) console.log(line)
        assert.equal(result.code, 0, `storm ${kind} seed ${seed}: exit ${result.code}\n${line}`)
        assert.deepEqual(
          [summary.lost, summary.wrong, summary.hung, summary.ranTwiceUnexplained],
          [0, 0, 0, 0],
          `storm ${kind} seed ${seed} (replay: STORM_SEED=${seed} STORM_TASKS=${tasks}): ${line}`,
        )
      }
    },
  )
}
