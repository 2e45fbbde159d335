import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import {
  conclusion,
  mostAtOnce,
  type Span,
  spanned,
  speedupTable,
  trial,
  workersOf,
} from "../../lib/executor/spans.ts"

const span = (start: number, end: number, worker = "1:0"): Span => ({ start, end, worker })

test("spans: mostAtOnce counts the spans running at one instant; touching ones do not overlap", () => {
  assert.equal(mostAtOnce([]), 0)
  assert.equal(mostAtOnce([span(0, 10), span(10, 20), span(20, 30)]), 1)
  assert.equal(mostAtOnce([span(0, 10), span(5, 15), span(14, 30)]), 2)
  assert.equal(mostAtOnce([span(0, 100), span(1, 2), span(3, 4), span(3.5, 50)]), 3)
})

test("spans: workersOf counts distinct process:thread pairs", () => {
  assert.equal(
    workersOf([span(0, 1, "1:0"), span(0, 1, "1:1"), span(0, 1, "2:0"), span(0, 1, "1:0")]),
    3,
  )
})

test("spans: spanned returns the value and a span on the current thread", () => {
  const { value, span: s } = spanned((a: number, b: number) => a + b)(2, 3)
  assert.equal(value, 5)
  assert.ok(s.start <= s.end && Math.abs(s.start - Date.now()) < 60_000)
  assert.match(s.worker, /^\d+:\d+$/)
})

test("spans: the conclusion follows the spans and the speedup, not a script", () => {
  const overlapping = [span(0, 10, "1:1"), span(5, 15, "1:2")]
  const serial = [span(0, 10), span(10, 20)]
  assert.equal(conclusion(serial, 1.0), "one at a time: no faster")
  assert.equal(conclusion(overlapping, 1.9), "2 at once on 2 workers: faster")
  assert.equal(
    conclusion(overlapping, 1.05),
    "2 at once on 2 workers: no faster (the cores were busy)",
  )
})

test("spans: trial and speedupTable measure and compare ways of running the same work", async () => {
  const work = spanned((n: number) => n + 1)
  const first = await Effect.runPromise(trial("first", Effect.sync(() => [work(1), work(2)])))
  assert.deepEqual(first.values, [2, 3])
  assert.equal(first.spans.length, 2)
  const [base, other] = speedupTable([{ ...first, ms: 100 }, { ...first, name: "second", ms: 50 }])
  assert.match(base, /^first\s+100 ms\s+1\.00×\s+one at a time \(the baseline\)$/)
  assert.match(other, /^second\s+50 ms\s+2\.00×\s+one at a time: faster$/)
})
