// The copy story: pack the package, install it into a fresh project, copy a
// recipe there and run it on the current runtime (the suite runs on both).
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fromRoot, runScript } from "./_support.ts"

test("copy: a recipe copied into a project that depends on effect-asyncio runs there", async () => {
  const project = mkdtempSync(join(tmpdir(), "effect-asyncio-copy-"))
  try {
    execFileSync("npm", ["pack", "--silent", "--pack-destination", project], {
      cwd: fromRoot(""),
      stdio: ["ignore", "ignore", "inherit"],
    })
    const tarball = readdirSync(project).find((file) => file.endsWith(".tgz"))
    assert.ok(tarball, "npm pack wrote a tarball")
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ type: "module", dependencies: { "effect-asyncio": `file:./${tarball}` } }),
    )
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: project,
      stdio: ["ignore", "ignore", "inherit"],
    })
    copyFileSync(fromRoot("recipes/run-concurrently.ts"), join(project, "run-concurrently.ts"))
    const run = await runScript(join(project, "run-concurrently.ts"), ["--scale", "0.01"], {
      cwd: project,
    })
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.lines.length, 27)
    assert.deepEqual(run.lines.slice(0, 2).sort(), ["cor1 start", "cor2 start"])
  } finally {
    rmSync(project, { recursive: true, force: true })
  }
})

test("copy: deno.json's import map and package.json's exports name the same modules", () => {
  const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8"))
  const deno = JSON.parse(readFileSync(fromRoot("deno.json"), "utf8"))
  const fromExports = Object.entries(pkg.exports as Record<string, { bun: string }>).map((
    [subpath, target],
  ) => [`effect-asyncio${subpath.slice(1)}`, target.bun])
  assert.deepEqual(Object.entries(deno.imports).sort(), fromExports.sort())
})
