// Parallelism is shown by what one thread cannot do (two tasks running at
// the same instant, on two workers), not by a speedup: a speedup needs idle
// cores, and a test must pass on a busy machine.
import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { gather } from "effect-asyncio/coroutine"
import {
  mostAtOnce,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  workersOf,
} from "effect-asyncio/executor"
import { countPrimes, parseLimit } from "../recipes/cpu-bound.ts"
import { fromRoot, runScript } from "../scripts/support.ts"

const LIMIT = 400_000 // about 50 ms a task on an idle core: long enough to overlap
const limits = [LIMIT, LIMIT, LIMIT, LIMIT]

test("cpu-bound: countPrimes counts primes by trial division, and says where it ran", () => {
  assert.deepEqual([2, 10, 100, 10_000].map((n) => countPrimes(n).value), [0, 4, 25, 1229])
  const { span } = countPrimes(1000)
  assert.ok(span.start <= span.end)
  assert.equal(workersOf([span, countPrimes(10).span]), 1)
})

test("cpu-bound: --limit is parsed and checked", () => {
  assert.equal(parseLimit([]), 2_000_000)
  assert.equal(parseLimit(["--limit", "1000"]), 1000)
  assert.throws(() => parseLimit(["--limit", "2"]), /integer above 2/)
  assert.throws(() => parseLimit(["--limit", "many"]), /integer above 2/)
})

test("cpu-bound: four fibers on the main thread never run two tasks at once", async () => {
  const results = await Effect.runPromise(
    gather(limits.map((n) => Effect.sync(() => countPrimes(n)))),
  )
  const spans = results.map((r) => r.span)
  assert.equal(workersOf(spans), 1)
  assert.equal(mostAtOnce(spans), 1)
})

for (
  const [kind, kinds, make] of [
    ["thread", "threads", ThreadPoolExecutor.make],
    ["process", "processes", ProcessPoolExecutor.make],
  ] as const
) {
  test(`cpu-bound: a ${kind} pool of 2 runs two tasks at the same instant, on two ${kinds}`, async () => {
    const results = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const pool = yield* make({ maxWorkers: 2 })
      yield* pool.map(countPrimes, [10, 10]) // both workers started: start-up is not the lesson
      return yield* pool.map(countPrimes, limits)
    })))
    const spans = results.map((r) => r.span)
    assert.deepEqual(results.map((r) => r.value), limits.map(() => countPrimes(LIMIT).value))
    assert.equal(workersOf(spans), 2, `workers: ${spans.map((s) => s.worker)}`)
    const [pids, threads] = [0, 1].map((i) => new Set(spans.map((s) => s.worker.split(":")[i])))
    assert.equal((kind === "thread" ? threads : pids).size, 2)
    assert.equal(mostAtOnce(spans), 2, JSON.stringify(spans))
  })
}

test("cpu-bound: the recipe prints what its numbers show", async () => {
  const run = await runScript(fromRoot("recipes/cpu-bound.ts"), ["--limit", String(LIMIT)], {
    timeoutMs: 60_000,
  })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.lines[0], "4 CPU-bound tasks: count the primes below 400,000")
  const row = (name: string) => {
    const line = run.lines.find((l) => l.startsWith(name))
    assert.ok(line, `no ${name} row in:\n${run.stdout}`)
    const speedup = Number(line.match(/ms\s+([\d.]+)×/)?.[1])
    return { line, faster: speedup >= 1.2 }
  }
  assert.match(row("one after another").line, /1\.00×\s+one at a time \(the baseline\)$/)
  const fibers = row("4 concurrent fibers")
  assert.match(fibers.line, /one at a time: (no )?faster$/)
  for (const name of ["thread pool, 2 workers", "process pool, 2 workers"]) {
    const { line, faster } = row(name)
    // The verdict follows the measured speedup, whatever the load.
    assert.match(
      line,
      faster ? /2 at once on 2 workers: faster$/ : /2 at once on 2 workers: no faster/,
    )
  }
})
