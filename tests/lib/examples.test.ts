// Every lib @example that is a whole program ("save it as main.ts and run it")
// is copied to a file of its own and run there, on this runtime, as a user
// would: its printed lines must be the ones its `// …` comments promise.
// (`deno test --doc` runs the other examples; these need a real file,
// because a worker imports the task's module by its URL.)
import { test } from "node:test"
import assert from "node:assert/strict"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import process from "node:process"
import { fromRoot, runScript } from "../../scripts/support.ts"

interface Program {
  readonly where: string
  readonly source: string
  readonly expected: ReadonlyArray<string>
}

const programsIn = (file: string): Array<Program> => {
  const text = readFileSync(fromRoot(file), "utf8")
  const found: Array<Program> = []
  const block = /@example[^\n]*save it as main\.ts[^\n]*\n \* ```ts\n([\s\S]*?) \* ```/g
  for (const match of text.matchAll(block)) {
    const source = match[1].split("\n").map((line) => line.replace(/^ \* ?/, "")).join("\n")
    const expected = [...source.matchAll(/console\.log\(.*\) \/\/ (.+)$/gm)].map((m) => m[1])
    found.push({
      where: `${file}:${text.slice(0, match.index).split("\n").length}`,
      source,
      expected,
    })
  }
  return found
}

const libFiles = (dir: string): Array<string> =>
  readdirSync(fromRoot(dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? libFiles(`${dir}/${entry.name}`)
      : entry.name.endsWith(".ts")
      ? [`${dir}/${entry.name}`]
      : []
  )

const programs = libFiles("lib").flatMap(programsIn)

test("examples: the executor's examples are whole programs, with no import from the repo's tests", () => {
  assert.ok(programs.length >= 4, `${programs.length} whole-program examples`)
  for (const file of libFiles("lib")) {
    assert.doesNotMatch(readFileSync(fromRoot(file), "utf8"), /tests\/fixtures/, file)
  }
})

test("examples: each whole-program example runs from a file of its own and prints what it says", async () => {
  // Inside the repo (gitignored), so `effect-asyncio/…` resolves as in a project that installed it.
  const dir = fromRoot(`.scratch/examples-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  try {
    for (const [i, program] of programs.entries()) {
      const file = join(dir, `main${i}.ts`)
      writeFileSync(file, program.source)
      // A cluster example starts Postgres and runners: on a loaded machine that takes a while.
      const run = await runScript(file, [], { timeoutMs: 120_000 })
      assert.equal(run.code, 0, `${program.where}: ${run.stderr}`)
      assert.deepEqual(run.lines, program.expected, program.where)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
