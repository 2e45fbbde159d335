// The README's asyncio map names every name of asyncio's high-level API
// (the list issue 21 gives), each with where to find it here or "not yet".
import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { fromRoot } from "../scripts/support.ts"

const asyncioNames = [
  "run",
  "create_task",
  "TaskGroup",
  "gather",
  "wait",
  "wait_for",
  "timeout",
  "as_completed",
  "shield",
  "sleep",
  "to_thread",
  "Queue",
  "PriorityQueue",
  "LifoQueue",
  "Lock",
  "Event",
  "Condition",
  "Semaphore",
  "BoundedSemaphore",
  "Barrier",
  "call_soon",
  "call_later",
  "call_at",
  "run_in_executor",
  "create_subprocess_exec",
  "open_connection",
  "add_signal_handler",
  "contextvars",
]

test("asyncio map: near the top of the README, one row names each asyncio API, with a non-empty answer", () => {
  const readme = readFileSync(fromRoot("README.md"), "utf8")
  const start = readme.indexOf("## asyncio → effect-asyncio")
  assert.ok(
    start !== -1 && start < readme.indexOf("## The recipes"),
    "the map comes before the recipes",
  )
  const rows = readme.slice(start, readme.indexOf("\n## ", start + 1)).split("\n")
    .filter((line) =>
      line.startsWith("| `") || line.startsWith("| streams") || line.startsWith("| debug")
    )
  for (const name of asyncioNames) {
    const row = rows.find((line) => line.split("|")[1].match(new RegExp(`\\b${name}\\b`)))
    assert.ok(row, `no row for asyncio's ${name}`)
    const [, , here, recipe] = row.split("|").map((cell) => cell.trim())
    assert.ok(here.length > 0 && recipe.length > 0, `${name}: ${row}`)
  }
})
