// Deno's permissions: each recipe names its flags once (its "Run it" line);
// the README's table says the same, every recipe test runs the recipe with
// just those flags (scripts/support.ts), and a denied one ends in one line.
import { test } from "node:test"
import assert from "node:assert/strict"
import { readdirSync, readFileSync } from "node:fs"
import { runtime } from "../lib/internal/runtime.ts"
import { denoFlagsOf, fromRoot, runScript } from "../scripts/support.ts"

const recipes = readdirSync(fromRoot("recipes"))
  .filter((file) => file.endsWith(".ts") && !file.startsWith("_"))

test("permissions: the README's recipe table names each recipe's Deno flags, as its Run it line", () => {
  const whole = readFileSync(fromRoot("README.md"), "utf8")
  // The recipe table (the asyncio map above it links recipes too).
  const readme = whole.slice(whole.indexOf("## The recipes"))
  for (const file of recipes) {
    const flags = denoFlagsOf(readFileSync(fromRoot(`recipes/${file}`), "utf8"))
    const row = readme.split("\n").find((line) => line.includes(`](recipes/${file})`))
    assert.ok(row, `no README row for ${file}`)
    const cell = row.split("|")[3].trim()
    assert.equal(cell, flags.length ? flags.map((f) => `\`${f}\``).join(" ") : "none", file)
  }
})

test("permissions: a recipe that needs none has none; the executors and websocket name theirs", () => {
  const flagsOf = (name: string) =>
    denoFlagsOf(readFileSync(fromRoot(`recipes/${name}.ts`), "utf8"))
  assert.deepEqual(flagsOf("coroutine-await"), [])
  assert.deepEqual(flagsOf("executor-thread-pool"), ["--allow-read"])
  assert.deepEqual(flagsOf("executor-process-pool"), ["--allow-read", "--allow-env", "--allow-run"])
  assert.deepEqual(flagsOf("websocket-echo"), ["--allow-net"])
})

test("permissions: without its flag a recipe ends with a one-line hint naming it, not a stack", {
  skip: runtime.name === "bun" ? "Bun has no permissions to deny" : false,
}, async () => {
  for (
    const [recipe, flags] of [
      ["websocket-echo", "--allow-net"],
      ["executor-thread-pool", "--allow-read"],
      ["executor-process-pool", "--allow-read --allow-env --allow-run"],
    ]
  ) {
    const run = await runScript(fromRoot(`recipes/${recipe}.ts`), [], {
      cwd: fromRoot(""),
      denoFlags: [],
      timeoutMs: 30_000,
    })
    assert.equal(run.code, 1, recipe)
    const lines = run.stderr.split("\n").filter((line) => line !== "")
    assert.equal(lines.length, 1, `${recipe}: ${run.stderr}`)
    assert.match(
      lines[0],
      new RegExp(
        `^permission denied: .*\\. Run again with: deno run ${flags} recipes/${recipe}\\.ts$`,
      ),
    )
  }
})

// An executor program: one run tells every flag its pool needs, once, also
// under `await run(main)`, never a TypeError; run again as told, it works.
const fixture = "tests/fixtures/pool-permissions.ts"
for (
  const [kind, given, needs] of [
    ["process", [], "--allow-read --allow-env --allow-run"],
    ["process", ["--allow-env"], "--allow-read --allow-env --allow-run"],
    [
      "process",
      ["--allow-read", "--allow-net"],
      "--allow-read --allow-net --allow-env --allow-run",
    ],
    ["thread", [], "--allow-read"],
  ] as const
) {
  for (const form of ["await", "bare"]) {
    test(
      `permissions: a ${kind} pool run with [${
        given.join(" ")
      }] (${form} run) names every flag in one line`,
      {
        skip: runtime.name === "bun" ? "Bun has no permissions to deny" : false,
      },
      async () => {
        const run = await runScript(
          fromRoot(fixture),
          [kind, ...(form === "bare" ? ["bare"] : [])],
          {
            cwd: fromRoot(""),
            denoFlags: given,
            timeoutMs: 30_000,
          },
        )
        assert.equal(run.code, 1, run.stderr)
        assert.equal(run.stdout, "")
        const lines = run.stderr.split("\n").filter((line) => line !== "")
        assert.equal(lines.length, 1, run.stderr)
        assert.match(
          lines[0],
          new RegExp(
            `^permission denied: a ${kind} pool needs [-a-z ]+(\\(missing: [-a-z ]+\\))?\\. ` +
              `Run again with: deno run ${needs} ${fixture.replaceAll(".", "\\.")} …$`,
          ),
        )
        assert.doesNotMatch(run.stderr, /TypeError|NotCapable|\n\s+at /)
        if (form === "bare") return
        const again = await runScript(fromRoot(fixture), [kind], {
          cwd: fromRoot(""),
          denoFlags: needs.split(" "),
          timeoutMs: 30_000,
        })
        assert.equal(again.code, 0, again.stderr)
        assert.equal(again.stdout, "3\n")
      },
    )
  }
}
