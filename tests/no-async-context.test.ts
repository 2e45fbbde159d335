/**
 * effect-asyncio/no-async-context, observed in separate processes (the
 * opt-in is whole-program, decided when Effect loads): the
 * tests/fixtures/async-context-*.ts scripts run two requests at once, each in
 * its own AsyncLocalStorage value and Context.Reference value, request b
 * woken by request a, then sleeping (tests/fixtures/async-context-observe.ts).
 *
 * Both sides of the trade-off: without the opt-in the AsyncLocalStorage value
 * follows request b's fiber across the hand-off and the Effect.sleep; with it,
 * it does not (b sees the value of whoever woke it). The Context.Reference
 * follows either way. And the guard: if a future Effect release moves the
 * `node:async_hooks` lookup, the opt-in tests fail here, loudly, rather than
 * the opt-in silently doing nothing.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { fromRoot, runScript } from "../scripts/support.ts"

interface Seen {
  readonly alsAfterSleep: string | null
  readonly referenceAfterSleep: string
  readonly alsInForkedChild: string | null
}
interface Observed {
  readonly a: Seen
  readonly b: Seen
  readonly alsAfterAwait: string | null
  readonly capturesAsyncContext: boolean
  readonly loopInfoCaptures: boolean
  readonly getBuiltinModuleFindsAsyncResource: boolean
  readonly getBuiltinModuleRestored: boolean
}

const observe = async (
  fixture: string,
  loop: "defaultLoop" | "fastLoop",
  preload?: string,
): Promise<Observed> => {
  const run = await runScript(fromRoot(`tests/fixtures/async-context-${fixture}.ts`), [loop], {
    timeoutMs: 30_000,
    cwd: fromRoot(""),
    preload,
  })
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.lines.length, 1, run.stdout)
  return JSON.parse(run.lines[0])
}

const loops = ["defaultLoop", "fastLoop"] as const

/** What every program sees whatever it chose: its Reference, plain ALS, the host's module intact. */
const sameEitherWay = (seen: Observed) => {
  assert.equal(seen.a.referenceAfterSleep, "request-a")
  assert.equal(seen.b.referenceAfterSleep, "request-b")
  assert.equal(seen.a.alsAfterSleep, "request-a")
  assert.equal(seen.alsAfterAwait, "request-c", "plain async functions keep their store")
  assert.equal(seen.getBuiltinModuleFindsAsyncResource, true)
  assert.equal(seen.getBuiltinModuleRestored, true)
}

const captured = (seen: Observed) => {
  sameEitherWay(seen)
  assert.equal(seen.capturesAsyncContext, true)
  assert.equal(seen.loopInfoCaptures, true)
  assert.equal(seen.b.alsAfterSleep, "request-b")
  assert.equal(seen.b.alsInForkedChild, "request-b")
}

const notCaptured = (seen: Observed) => {
  sameEitherWay(seen)
  assert.equal(
    seen.capturesAsyncContext,
    false,
    "the opt-in did not take: did Effect move its lookup?",
  )
  assert.equal(seen.loopInfoCaptures, false)
  assert.equal(seen.b.alsAfterSleep, "request-a", "b's store should be whoever woke it")
  assert.equal(seen.b.alsInForkedChild, "request-a")
}

for (const loop of loops) {
  test(`no-async-context: without it, an AsyncLocalStorage value follows the fiber (${loop})`, async () => {
    captured(await observe("default", loop))
  })

  test(`no-async-context: as the entry's first import, the value stops at the hand-off and the sleep; the Reference follows (${loop})`, async () => {
    notCaptured(await observe("opt-in", loop))
  })
}

test("no-async-context: --preload effect-asyncio/no-async-context does the same", async () => {
  notCaptured(await observe("default", "fastLoop", "effect-asyncio/no-async-context"))
})

test("no-async-context: imported after effect it changes nothing, and loopInfo says so", async () => {
  captured(await observe("too-late", "fastLoop"))
})

test("no-async-context: Effect still looks up node:async_hooks once, when it loads", () => {
  // The opt-in hides node:async_hooks during exactly this lookup. If it moves (lazily, or to
  // another module), the opt-in tests above fail; this names the reason.
  const lookup =
    /const AsyncResource = [^\n]*\(\(\) => \{\s*try \{\s*return globalThis\.process\?\.getBuiltinModule\?\.\("node:async_hooks"\)\?\.AsyncResource;/
  assert.match(
    readFileSync(fromRoot("node_modules/effect/dist/internal/effect.js"), "utf8"),
    lookup,
  )
  const source = readFileSync(fromRoot("node_modules/effect/src/internal/effect.ts"), "utf8")
  assert.match(source, /new AsyncResource\("effect\/Fiber"\)/)
})
