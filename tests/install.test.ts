// What `npm install` prints on a fresh clone: no install script is left
// unapproved (npm 11 blocks those and warns), and the one warning left
// (EBADENGINE: two cluster dependencies ask for a newer Node, which only
// installs here) is explained in the README's quick start.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fromRoot } from "../scripts/support.ts"

const npm = (args: ReadonlyArray<string>) =>
  execFileSync("npm", args, {
    cwd: fromRoot(""),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  })

const hasInstallScripts = (() => {
  try {
    npm(["help", "install-scripts"])
    return true
  } catch {
    return false
  }
})()

test("install: every dependency's install script is approved in package.json's allowScripts", {
  skip: hasInstallScripts
    ? false
    : "this npm has no install-scripts approvals (npm < 11): nothing to warn about",
}, () => {
  assert.match(npm(["install-scripts", "ls"]), /No packages with unreviewed install scripts/)
})

test("install: the README's quick start says what the EBADENGINE warning means", () => {
  const readme = readFileSync(fromRoot("README.md"), "utf8")
  const quickStart = readme.slice(
    readme.indexOf("## Quick start"),
    readme.indexOf("## The recipes"),
  )
  assert.match(quickStart, /`EBADENGINE`[^]*harmless/)
  const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8"))
  for (const name of ["@effect/platform-node", "undici"]) {
    assert.ok(quickStart.includes(`\`${name}\``), name)
    const engines = JSON.parse(
      readFileSync(fromRoot(`node_modules/${name}/package.json`), "utf8"),
    ).engines?.node
    assert.ok(engines, `${name} still asks for a Node version (else drop it from the README)`)
  }
  assert.equal(pkg.allowScripts?.deno, true)
  assert.equal(pkg.allowScripts?.bun, true)
})
