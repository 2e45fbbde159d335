import { test } from "node:test"
import assert from "node:assert/strict"
import process from "node:process"
import { func, whereAmI } from "../recipes/executor-cluster.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

test("executor-cluster: the tasks, called here", () => {
  assert.equal(func("Hello,", " world!"), "Hello, world!")
  assert.equal(whereAmI(3).runner, process.ppid)
})

test("executor-cluster: the recipe runs func on a local cluster, says which runner ran each task, and exits", async () => {
  const run = await runScript(fromRoot("recipes/executor-cluster.ts"), [], { timeoutMs: 120_000 })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.lines[0], "Hello, world!")
  const tasks = run.lines.slice(1)
  assert.equal(tasks.length, 4, run.lines.join("\n"))
  const runners = new Map<number, string>()
  for (const line of tasks) {
    const m = line.match(/^task \d ran on runner (\d+) \((deno|bun)\)$/)
    assert.ok(m, line)
    const pid = Number(m[1])
    assert.notEqual(pid, process.pid)
    // One runner is one process of one runtime.
    assert.equal(runners.get(pid) ?? m[2], m[2])
    runners.set(pid, m[2])
  }
})
