// splitRefused: a batch the channel refused is split into what to send again and what fails.
import { test } from "node:test"
import assert from "node:assert/strict"
import { splitRefused } from "../../lib/executor/resend.ts"

test("resend: tasks whose arguments clone are sent again, in order; the others fail, naming the argument", () => {
  const jobs = [
    { name: "a", args: [1, "two"] },
    { name: "b", args: [1, () => 2] },
    { name: "c", args: [{ nested: [3] }] },
    { name: "d", args: [Symbol("s")] },
  ]
  const { resend, unsendable } = splitRefused(jobs)
  assert.deepEqual(resend.map((job) => job.name), ["a", "c"])
  assert.deepEqual(unsendable.map(({ job, index }) => [job.name, index]), [["b", 1], ["d", 0]])
  assert.match(unsendable[0].problem, /could not be cloned \(a function\)/)
  assert.match(unsendable[1].problem, /could not be cloned \(a symbol\)/)
})

test("resend: a batch that is all sendable is sent again whole", () => {
  const jobs = [{ args: [new Uint8Array(4)] }, { args: [] }]
  const { resend, unsendable } = splitRefused(jobs)
  assert.deepEqual([resend, unsendable], [jobs, []])
})
