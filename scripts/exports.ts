/**
 * The package's public modules: the one list that `package.json`'s
 * `exports`, `deno.json`'s `exports` and `deno.json`'s import map are made
 * from. A module added to `lib/` is internal until it is named here.
 *
 * `deno run -A scripts/exports.ts` rewrites the three from the list;
 * `tests/copy.test.ts` fails when they differ from it.
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs"

/** `effect-asyncio/<name>` is `lib/<name>.ts`; `effect-asyncio` itself is `lib/mod.ts`. */
export const publicModules: ReadonlyArray<string> = [
  "as-completed",
  "barrier",
  "bounded-semaphore",
  "cluster",
  "condition",
  "coroutine",
  "event",
  "executor",
  "lag-monitor",
  "lifo-queue",
  "lock",
  "loop",
  "no-async-context",
  "priority-queue",
  "queue",
  "semaphore",
  "shield",
  "signals",
  "task",
  "task-group",
  "timeout",
  "websocket",
]

/** Subpath (`.`, `./coroutine`, …) to the module's source, `./lib/…ts`. */
export const entryPoints = (): Array<[string, string]> => [
  [".", "./lib/mod.ts"],
  ...publicModules.map((name): [string, string] => [`./${name}`, `./lib/${name}.ts`]),
]

/** `package.json`'s `exports`: Bun runs the source, the rest the `tsc` build in `dist/`. */
export const packageExports = (): Record<string, Record<string, string>> =>
  Object.fromEntries(
    entryPoints().map(([subpath, source]) => {
      const built = source.replace("./lib/", "./dist/").replace(/\.ts$/, "")
      return [subpath, { types: `${built}.d.ts`, bun: source, default: `${built}.js` }]
    }),
  )

/** `deno.json`'s `exports` (JSR). */
export const denoExports = (): Record<string, string> => Object.fromEntries(entryPoints())

/** `deno.json`'s import map: the repo's own files import the package by its name. */
export const importMap = (): Record<string, string> =>
  Object.fromEntries(
    entryPoints().map(([subpath, source]) => [`effect-asyncio${subpath.slice(1)}`, source]),
  )

const root = new URL("..", import.meta.url).pathname

if (import.meta.main) {
  const rewrite = (file: string, edit: (json: Record<string, unknown>) => void) => {
    const json = JSON.parse(readFileSync(`${root}${file}`, "utf8"))
    edit(json)
    writeFileSync(`${root}${file}`, `${JSON.stringify(json, null, 2)}\n`)
    console.log(`wrote ${file}`)
  }
  rewrite("package.json", (pkg) => {
    pkg.exports = packageExports()
  })
  rewrite("deno.json", (deno) => {
    deno.exports = denoExports()
    deno.imports = importMap()
  })
}
