import { test } from "node:test"
import assert from "node:assert/strict"
import process from "node:process"
import { runtime } from "../../lib/internal/runtime.ts"

test("runtime: detects the runtime running the test", () => {
  const g = globalThis as { Deno?: unknown; Bun?: unknown }
  assert.equal(runtime.name, g.Bun ? "bun" : "deno")
  assert.equal(runtime.execPath, process.execPath)
  assert.match(runtime.version, /^\d+\.\d+\.\d+/)
})
