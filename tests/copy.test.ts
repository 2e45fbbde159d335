// The copy story: pack the package, install it into a fresh project, copy a
// recipe there and run it on the current runtime (the suite runs on both).
import { after, test } from "node:test"
import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import { denoExports, importMap, packageExports, publicModules } from "../scripts/exports.ts"
import { denoFlagsOf, fromRoot, runScript } from "../scripts/support.ts"

/** The Deno flags a recipe's "Run it" line names: a copied recipe needs no more. */
const flagsOf = (recipe: string) =>
  denoFlagsOf(readFileSync(fromRoot(`recipes/${recipe}.ts`), "utf8"))

/** Packs the package and installs it into a fresh project, once for the file's tests. */
let project: string | undefined
const packedProject = (): string =>
  project ??= (() => {
    const dir = mkdtempSync(join(tmpdir(), "effect-asyncio-copy-"))
    execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], {
      cwd: fromRoot(""),
      stdio: ["ignore", "ignore", "inherit"],
    })
    const tarball = readdirSync(dir).find((file) => file.endsWith(".tgz"))
    assert.ok(tarball, "npm pack wrote a tarball")
    // A project of its own with its own `effect` (the version this repo develops against):
    // effect is a peer dependency, so the package must use the project's copy, not bring one.
    const effectVersion =
      JSON.parse(readFileSync(fromRoot("node_modules/effect/package.json"), "utf8"))
        .version
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        type: "module",
        dependencies: { "effect-asyncio": `file:./${tarball}`, effect: effectVersion },
      }),
    )
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
    })
    return dir
  })()
// `after`, not process "exit": under `deno test` no exit handler runs, and each run left 66 MB behind.
after(() => {
  if (project !== undefined) rmSync(project, { recursive: true, force: true })
})

test("copy: a recipe copied into a project that depends on effect-asyncio runs there", async () => {
  const dir = packedProject()
  copyFileSync(fromRoot("recipes/run-concurrently.ts"), join(dir, "run-concurrently.ts"))
  const run = await runScript(join(dir, "run-concurrently.ts"), ["--scale", "0.01"], {
    cwd: dir,
    denoFlags: flagsOf("run-concurrently"),
  })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.lines.length, 27)
  assert.deepEqual(run.lines.slice(0, 2).sort(), ["cor1 start", "cor2 start"])
})

test("copy: copied recipes type-check with deno check in the fresh project (@types/node comes as a peer)", () => {
  const dir = packedProject()
  // Deno types `node:` imports with npm's @types/node: without it, deno check crashed.
  assert.ok(existsSync(join(dir, "node_modules/@types/node/package.json")), "the peer is installed")
  const recipes = ["run-concurrently", "websocket-echo", "executor-thread-pool", "event"]
  for (const recipe of recipes) {
    copyFileSync(fromRoot(`recipes/${recipe}.ts`), join(dir, `${recipe}.ts`))
  }
  const deno = existsSync(fromRoot("node_modules/.bin/deno"))
    ? fromRoot("node_modules/.bin/deno")
    : "deno"
  const out = execFileSync(deno, ["check", ...recipes.map((recipe) => `${recipe}.ts`)], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  })
  assert.doesNotMatch(out, /error/i)
})

test("copy: the executor recipes run from the packed package (its workers are the .js build on Deno)", async () => {
  const dir = packedProject()
  for (const recipe of ["executor-thread-pool", "executor-process-pool", "executor-default"]) {
    copyFileSync(fromRoot(`recipes/${recipe}.ts`), join(dir, `${recipe}.ts`))
    const run = await runScript(join(dir, `${recipe}.ts`), [], {
      cwd: dir,
      denoFlags: flagsOf(recipe),
    })
    assert.equal(run.code, 0, `${recipe}: ${run.stderr}`)
    assert.equal(run.lines[0], "Hello, world!", recipe)
  }
})

test("copy: loop-policy's opt-in (effect-asyncio/no-async-context) works from the packed package", async () => {
  const dir = packedProject()
  copyFileSync(fromRoot("recipes/loop-policy.ts"), join(dir, "loop-policy.ts"))
  const run = await runScript(join(dir, "loop-policy.ts"), [], { cwd: dir })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.lines[1], "async context captured at each suspension: no")
})

/** Every installed package named `effect` under `dir`/node_modules, as paths relative to `dir`. */
const effectCopies = (dir: string, under = "node_modules"): Array<string> => {
  const found: Array<string> = []
  const modules = join(dir, under)
  if (!existsSync(modules)) return found
  for (const entry of readdirSync(modules)) {
    const pkgDir = join(under, entry)
    if (entry.startsWith("@")) {
      for (const scoped of readdirSync(join(dir, pkgDir))) {
        found.push(...effectCopies(dir, join(pkgDir, scoped, "node_modules")))
      }
      continue
    }
    const manifest = join(dir, pkgDir, "package.json")
    if (entry === "effect" && existsSync(manifest)) {
      if (JSON.parse(readFileSync(manifest, "utf8")).name === "effect") found.push(pkgDir)
    }
    found.push(...effectCopies(dir, join(pkgDir, "node_modules")))
  }
  return found
}

test("copy: the installed package uses the project's own effect: one copy in the tree", () => {
  const dir = packedProject()
  const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8"))
  assert.equal(pkg.dependencies?.effect, undefined, "effect is not a plain dependency")
  assert.ok(pkg.peerDependencies?.effect, "effect is a peer dependency")
  assert.deepEqual(effectCopies(dir), [join("node_modules", "effect")])
})

test("copy: deno.json's import map and package.json's exports name the same modules", () => {
  const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8"))
  const deno = JSON.parse(readFileSync(fromRoot("deno.json"), "utf8"))
  const fromExports = Object.entries(pkg.exports as Record<string, { bun: string }>).map((
    [subpath, target],
  ) => [`effect-asyncio${subpath.slice(1)}`, target.bun])
  assert.deepEqual(Object.entries(deno.imports).sort(), fromExports.sort())
  // And JSR's exports (deno.json) are the same entry points.
  const jsrExports = Object.entries(deno.exports as Record<string, string>)
    .map(([subpath, target]) => [`effect-asyncio${subpath.slice(1)}`, target])
  assert.deepEqual(jsrExports.sort(), fromExports.sort())
  assert.equal(deno.version, pkg.version)
})

test("copy: package.json's exports, deno.json's exports and import map are the ones scripts/exports.ts makes", () => {
  const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8"))
  const deno = JSON.parse(readFileSync(fromRoot("deno.json"), "utf8"))
  const fix = "out of date: run `deno run -A scripts/exports.ts`"
  assert.deepEqual(pkg.exports, packageExports(), `package.json exports ${fix}`)
  assert.deepEqual(deno.exports, denoExports(), `deno.json exports ${fix}`)
  assert.deepEqual(deno.imports, importMap(), `deno.json imports ${fix}`)
})

test("copy: lib/mod.ts names its exports (no export *) from every public module but the opt-ins", () => {
  const mod = readFileSync(fromRoot("lib/mod.ts"), "utf8")
  assert.doesNotMatch(mod, /export \*/)
  const notInMod = ["cluster", "no-async-context"]
  for (const name of publicModules.filter((name) => !notInMod.includes(name))) {
    assert.match(mod, new RegExp(`from "\\./${name}\\.ts"`), `lib/mod.ts exports from ${name}`)
  }
})
