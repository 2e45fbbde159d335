// Import rules: no module in lib/ imports itself back, through any path (every relative
// import counts, `import type`, `export … from` and `import("…")` types included); recipes/
// and bench/ never import tests/, and lib/ imports nothing outside lib/.
import { test } from "node:test"
import assert from "node:assert/strict"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, normalize, relative } from "node:path"
import { fromRoot } from "../../scripts/support.ts"

const sources = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1).flatMap((
    entry,
  ) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith(".ts")
      ? [join(dir, entry.name)]
      : []
  )

/** The relative specifiers a module names, in code (JSDoc examples left out). */
const importsOf = (file: string): Array<string> => {
  const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "")
  const found = [
    ...code.matchAll(/\b(?:import|export)\b[^"'`;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g),
    ...code.matchAll(/\bimport\s*["'](\.{1,2}\/[^"']+)["']/g),
    ...code.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g),
  ]
  return found.map((match) => normalize(join(dirname(file), match[1])))
}

/** Every import circle in `files`, each as the path that closes it. */
const circles = (files: ReadonlyArray<string>): Array<Array<string>> => {
  const graph = new Map(files.map((file) => [file, importsOf(file)]))
  const found: Array<Array<string>> = []
  const state = new Map<string, "open" | "done">()
  const path: Array<string> = []
  const visit = (file: string) => {
    state.set(file, "open")
    path.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next])
      else if (!state.has(next) && graph.has(next)) visit(next)
    }
    path.pop()
    state.set(file, "done")
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return found
}

test("imports: no circle in lib/ (type imports included)", () => {
  const root = fromRoot("")
  const found = circles(sources(fromRoot("lib"))).map((circle) =>
    circle.map((file) => relative(root, file)).join(" → ")
  )
  assert.deepEqual(found, [])
})

test("imports: the check sees a circle made of type imports", () => {
  const dir = fromRoot("tests/fixtures/import-circle")
  const found = circles(sources(dir)).map((circle) => circle.map((f) => relative(dir, f)))
  assert.deepEqual(found, [["a.ts", "b.ts", "a.ts"]])
})

test("imports: recipes/ and bench/ never import tests/; lib/ imports nothing outside lib/", () => {
  const root = fromRoot("")
  const tests = fromRoot("tests/")
  const lib = fromRoot("lib/")
  const wrong = [
    ...[...sources(fromRoot("recipes")), ...sources(fromRoot("bench"))].flatMap((file) =>
      importsOf(file).filter((target) => target.startsWith(tests)).map((target) => [file, target])
    ),
    ...sources(fromRoot("lib")).flatMap((file) =>
      importsOf(file).filter((target) => !target.startsWith(lib)).map((target) => [file, target])
    ),
  ].map(([file, target]) => `${relative(root, file)} → ${relative(root, target)}`)
  assert.deepEqual(wrong, [])
})
