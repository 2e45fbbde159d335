// The order of callbacks when timers that fall due meet callbacks already
// waiting: CPython moves due timers to the END of its ready queue, so
// `call_later(0, f)` then three `call_soon(g)` runs the three g first. The
// scenarios below are tests/fixtures/call-order.py's; the expected lines are
// CPython's, and where /usr/bin/python3 exists the test runs it and checks
// that it prints them.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { Effect } from "effect"
import {
  callAt,
  callLater,
  callSoon,
  defaultLoop,
  fastLoop,
  time,
  withLoop,
} from "effect-asyncio/loop"
import { fromRoot } from "../../scripts/support.ts"

const expected = ["g1 g2 g3 f", "g f", "c a b", "s t"]

type Note = (name: string) => () => void

/** Each scenario schedules its callbacks, as call-order.py does; it returns how many. */
const scenarios: ReadonlyArray<
  (note: Note) => Effect.Effect<number, never, import("effect").Scope.Scope>
> = [
  (note) =>
    Effect.gen(function* () {
      yield* callLater("0 millis", note("f"))
      for (const name of ["g1", "g2", "g3"]) yield* callSoon(note(name))
      return 4
    }),
  (note) =>
    Effect.gen(function* () {
      yield* callSoon(note("g"))
      yield* callLater("0 millis", note("f"))
      return 2
    }),
  (note) =>
    Effect.gen(function* () {
      yield* callLater("0 millis", note("a"))
      yield* callLater("0 millis", note("b"))
      yield* callSoon(note("c"))
      return 3
    }),
  (note) =>
    Effect.gen(function* () {
      yield* callAt(yield* time, note("t"))
      yield* callSoon(note("s"))
      return 2
    }),
]

/** Runs one scenario on `loop` and returns the order its callbacks ran in. */
const order = (loop: typeof defaultLoop | typeof fastLoop, index: number) =>
  Effect.runPromise(
    withLoop(loop)(Effect.scoped(Effect.gen(function* () {
      const seen: Array<string> = []
      const count = yield* scenarios[index]((name) => () => void seen.push(name))
      // Wait for every callback (bounded: 10 s), without assuming which runs last.
      for (let i = 0; seen.length < count && i < 10_000; i++) yield* Effect.sleep("1 millis")
      return seen.join(" ")
    }))),
  )

for (const [name, loop] of [["defaultLoop", defaultLoop], ["fastLoop", fastLoop]] as const) {
  test(`loop order (${name}): timers that fall due run behind the callSoon callbacks already waiting, as in CPython`, async () => {
    const seen = []
    for (let i = 0; i < scenarios.length; i++) seen.push(await order(loop, i))
    assert.deepEqual(seen, expected)
  })
}

const python = "/usr/bin/python3"
test("loop order: CPython prints the expected order for the same scenarios", {
  skip: existsSync(python) ? false : `${python} not found: the expected lines stand unchecked`,
}, () => {
  const out = execFileSync(python, [fromRoot("tests/fixtures/call-order.py")], {
    encoding: "utf8",
    timeout: 30_000,
  })
  assert.deepEqual(out.trim().split("\n"), expected)
})
