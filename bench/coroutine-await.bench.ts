/**
 * Bench for recipes/coroutine-await.ts — await-chain: 1 000 000 sequential
 * awaits of a trivial coroutine (`func` returns a string), in ns per await.
 * The Effect coroutine three ways: `Effect.fn`, as in the recipe (a tracing
 * span per call, and a `new Error()` per call for the span's call-site
 * stack); `Effect.fnUntraced` piped through `Effect.withSpan` (the span and
 * its name, no stack capture); and plain `Effect.fnUntraced` (no span),
 * against a raw `async` function awaited in a loop.
 */
import { Effect } from "effect"
import { func } from "../recipes/coroutine-await.ts"
import { runBench, type Variant } from "./_harness.ts"
import { fromDef } from "./workloads.ts"

const def = fromDef("coroutine-await", "await-chain 1,000,000")
const N = def.ops

// deno-lint-ignore require-await -- the baseline is exactly an async function that returns at once
const rawFunc = async () => "Hello, world!"

/** The raw baseline of both coroutine benches: `n` sequential awaits of an async function. */
export const rawAwaitChain = (n: number): Variant => ({
  name: "async/await (raw)",
  baseline: true,
  run: async () => {
    let last = ""
    for (let i = 0; i < n; i++) last = await rawFunc()
    return last
  },
})
// The same coroutine without a tracing span: what `Effect.fn`'s span costs per call.
const untracedFunc = Effect.fnUntraced(function* () {
  return "Hello, world!"
})
// The same coroutine with its named span but no call-site stack: what the stack costs.
const spannedFunc = Effect.fnUntraced(function* () {
  return "Hello, world!"
}, Effect.withSpan("func"))

/** `n` sequential `yield*` of `f()` in one fiber. */
const chain = (f: () => Effect.Effect<string>) =>
  Effect.gen(function* () {
    let last = ""
    for (let i = 0; i < N; i++) last = yield* f()
    return last
  })

if (import.meta.main) {
  await runBench([{
    ...def,
    variants: [
      rawAwaitChain(N),
      { name: "Effect.fnUntraced + yield*", run: () => Effect.runPromise(chain(untracedFunc)) },
      {
        name: "Effect.fnUntraced + Effect.withSpan + yield*",
        run: () => Effect.runPromise(chain(spannedFunc)),
      },
      {
        name: "Effect.fn + yield* (recipe's func)",
        run: () => Effect.runPromise(chain(func)),
      },
    ],
  }])
}
