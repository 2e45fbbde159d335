// blame: which unreported task of a dead worker fails, and which run again.
import { test } from "node:test"
import assert from "node:assert/strict"
import { blame, MAX_STRIKES, type Orphan } from "../../lib/executor/blame.ts"

const orphans = (...ids: Array<number>): Array<Orphan> =>
  ids.map((id) => ({ id, strikes: 0, suspect: false }))

test("blame: the worker's word names the culprit; the others are not marked", () => {
  const jobs = orphans(1, 2, 3)
  assert.equal(blame(jobs, { killed: false, exitCurrent: 2 }), jobs[1])
  assert.ok(jobs.every((job) => job.strikes === 0 && !job.suspect))
})

test("blame: a word naming no orphan (-1: between tasks) blames nobody", () => {
  assert.equal(blame(orphans(1, 2), { killed: false, exitCurrent: -1 }), undefined)
})

test("blame: a worker the pool terminated blames nobody and marks nobody", () => {
  const jobs = orphans(7)
  assert.equal(blame(jobs, { killed: true, exitCurrent: undefined }), undefined)
  assert.deepEqual(jobs[0], { id: 7, strikes: 0, suspect: false })
})

test("blame: silence with one orphan is a strike; it fails at MAX_STRIKES", () => {
  const [job] = orphans(5)
  const silent = { killed: false, exitCurrent: undefined }
  for (let strike = 1; strike < MAX_STRIKES; strike++) {
    assert.equal(blame([job], silent), undefined)
    assert.deepEqual([job.strikes, job.suspect], [strike, true])
  }
  assert.equal(blame([job], silent), job)
  assert.equal(job.strikes, MAX_STRIKES)
})

test("blame: silence with several orphans blames nobody; each becomes a suspect, no strike", () => {
  const jobs = orphans(1, 2, 3)
  assert.equal(blame(jobs, { killed: false, exitCurrent: undefined }), undefined)
  assert.deepEqual(jobs.map((job) => [job.strikes, job.suspect]), [[0, true], [0, true], [0, true]])
})
