/**
 * Bench for recipes/coroutine-delegation.ts — delegation-chain: 1 000 000
 * sequential `yield*` delegations to a trivial coroutine, in ns per
 * delegation. Effect's `yield*` against the two things it generalises: a
 * plain JavaScript generator delegating with `yield*` (Python's `yield from`
 * without a loop) and a raw `await` of an async function.
 */
import { Effect } from "effect"
import { func } from "../recipes/coroutine-delegation.ts"
import { runBench } from "./_harness.ts"
import { rawAwaitChain } from "./coroutine-await.bench.ts"
import { fromDef } from "./workloads.ts"

const def = fromDef("coroutine-delegation", "delegation-chain 1,000,000")
const N = def.ops

function* plainFunc(): Generator<never, string> {
  return "Hello, world!"
}

if (import.meta.main) {
  await runBench([{
    ...def,
    variants: [
      rawAwaitChain(N),
      {
        name: "plain generator yield*",
        run: () => {
          const main = function* () {
            let last = ""
            for (let i = 0; i < N; i++) last = yield* plainFunc()
            return last
          }
          return main().next().value
        },
      },
      {
        name: "Effect.gen yield*",
        run: () =>
          Effect.runPromise(Effect.gen(function* () {
            let last = ""
            for (let i = 0; i < N; i++) last = yield* func
            return last
          })),
      },
    ],
  }])
}
