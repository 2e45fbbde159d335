/**
 * The TypeScript benches and bench/workloads.json agree: every bench takes
 * its workload names from the file (through `fromDef`, which throws on a
 * name the file lacks), every (bench, workload) pair a bench names exists in
 * the file, and every workload the file gives the TypeScript side is run by
 * its bench. Read statically: running the benches, even with BENCH_QUICK,
 * costs minutes.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { readdirSync, readFileSync } from "node:fs"
import { sideDefs, workloadDefs } from "../bench/workloads.ts"

const benchDir = new URL("../bench/", import.meta.url)
const benchFiles = readdirSync(benchDir).filter((f) => f.endsWith(".bench.ts")).sort()
const sourceOf = (file: string) => readFileSync(new URL(file, benchDir), "utf8")
const nameOf = (file: string) => file.replace(/\.bench\.ts$/, "")

/** The string literals of a source (double-quoted, no escapes: what workload names are). */
const literals = (source: string) => [...source.matchAll(/"([^"\\\n]*)"/g)].map((m) => m[1])

/** The (bench, workload) pairs a bench names in `fromDef`/`param`/`textParam` calls. */
const namedPairs = (file: string): Array<[string, string]> => {
  const source = sourceOf(file)
  const bench = source.match(/const bench = "([^"]+)"/)?.[1]
  const calls = source.matchAll(
    /\b(?:fromDef|param|textParam)\(\s*(bench|"[^"]+")\s*,\s*(?:"([^"]+)"|(\w+))/g,
  )
  return [...calls].flatMap(([, benchArg, literal]) => {
    const b = benchArg === "bench" ? bench : benchArg.slice(1, -1)
    // A variable argument (e.g. `name`) is covered by the next test: its literal is in the file.
    return literal && b ? [[b, literal] as [string, string]] : []
  })
}

test("bench workloads: every TS bench takes its names from workloads.json, none by hand", () => {
  assert.ok(benchFiles.length >= 11, `only ${benchFiles.length} benches`)
  for (const file of benchFiles) {
    const source = sourceOf(file)
    assert.match(source, /from "\.\/workloads\.ts"/, `${file} does not import fromDef`)
    assert.match(source, /\bfromDef\(/, `${file} does not call fromDef`)
    assert.doesNotMatch(source, /\bworkload:\s*[`"]/, `${file} names a workload by hand`)
    assert.doesNotMatch(source, /\bbench:\s*[`"]/, `${file} names its bench by hand`)
  }
})

test("bench workloads: every (bench, workload) pair a TS bench names exists in workloads.json", () => {
  const keys = new Set(workloadDefs.map((w) => `${w.bench}\u0000${w.workload}`))
  let pairs = 0
  for (const file of benchFiles) {
    for (const [bench, workload] of namedPairs(file)) {
      pairs++
      assert.equal(bench, nameOf(file), `${file} reads the workloads of another bench`)
      assert.ok(keys.has(`${bench}\u0000${workload}`), `${file}: no "${workload}" in ${bench}`)
    }
  }
  assert.ok(pairs >= 11, `only ${pairs} pairs found: is the pattern still right?`)
})

test("bench workloads: every workload of the TS side in workloads.json is run by its bench", () => {
  const files = new Set(benchFiles.map(nameOf))
  for (const def of sideDefs("ts")) {
    assert.ok(files.has(def.bench), `no bench/${def.bench}.bench.ts`)
    const source = sourceOf(`${def.bench}.bench.ts`)
    assert.ok(
      literals(source).includes(def.workload),
      `bench/${def.bench}.bench.ts never names "${def.workload}"`,
    )
  }
})

test("bench workloads: one-sided workloads say which side and why", () => {
  for (const def of workloadDefs.filter((w) => w.only !== undefined)) {
    assert.ok(def.only === "ts" || def.only === "peer", `${def.bench}: ${def.workload}`)
    assert.ok((def.why ?? "").length > 20, `${def.bench}: ${def.workload} needs a why`)
  }
})
