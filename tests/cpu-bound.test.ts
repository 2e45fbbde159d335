import { test } from "node:test"
import assert from "node:assert/strict"
import os from "node:os"
import { calibratePrimes, countPrimes, parseLimit } from "../recipes/cpu-bound.ts"
import { fromRoot, runScript } from "./_support.ts"

test("cpu-bound: countPrimes counts primes by trial division", () => {
  assert.equal(countPrimes(2), 0)
  assert.equal(countPrimes(10), 4)
  assert.equal(countPrimes(100), 25)
  assert.equal(countPrimes(10_000), 1229)
})

test("cpu-bound: --limit is parsed and checked; calibration grows with the time asked", () => {
  assert.equal(parseLimit(["--limit", "1000"]), 1000)
  assert.throws(() => parseLimit(["--limit", "2"]), /integer above 2/)
  assert.throws(() => parseLimit(["--limit", "many"]), /integer above 2/)
  assert.ok(calibratePrimes(200) > calibratePrimes(60))
})

const speedupOf = (lines: ReadonlyArray<string>, name: string): number => {
  const line = lines.find((l) => l.startsWith(name))
  assert.ok(line, `no line for ${name} in:\n${lines.join("\n")}`)
  return Number(line.match(/ms\s+([\d.]+)×/)?.[1])
}

const cores = os.availableParallelism?.() ?? os.cpus().length

test("cpu-bound: fibers are no faster; either pool is, on 2+ cores", {
  skip: cores < 2 ? `one core here (${cores}): no parallel speedup to see` : false,
}, async () => {
  // A speedup is a timing: take the better of two runs, so one stall of the machine is not a failure.
  let fibers = Infinity
  let threads = 0
  let processes = 0
  for (let attempt = 0; attempt < 2 && !(threads > 1.3 && processes > 1.3); attempt++) {
    const limit = calibratePrimes(150)
    const run = await runScript(fromRoot("recipes/cpu-bound.ts"), ["--limit", String(limit)], {
      timeoutMs: 60_000,
    })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.lines[0], /^4 CPU-bound tasks: count the primes below [\d,]+$/)
    fibers = Math.min(fibers, speedupOf(run.lines, "4 concurrent fibers, main thread"))
    threads = Math.max(threads, speedupOf(run.lines, "thread pool, 2 workers"))
    processes = Math.max(processes, speedupOf(run.lines, "process pool, 2 workers"))
  }
  assert.ok(fibers < 1.3, `fibers ${fibers}× (one thread cannot go faster)`)
  assert.ok(threads > 1.3, `thread pool ${threads}×`)
  assert.ok(processes > 1.3, `process pool ${processes}×`)
})
