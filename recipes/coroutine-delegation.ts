/**
 * Generator delegation — asyncio's old `@asyncio.coroutine` + `yield from`.
 *
 * Before `async`/`await`, asyncio coroutines were generators: a coroutine
 * handed control to another with `yield from`, and the decorator told the loop
 * to drive it. Effect never left that style: `Effect.gen` is the decorator and
 * `yield*` is `yield from`. What Effect adds is types — each `yield*` knows
 * the value, the typed error and the services of what it delegates to, which
 * the Python generators never could.
 *
 * Run it:  deno run recipes/coroutine-delegation.ts   |   bun recipes/coroutine-delegation.ts
 * Output:  Hello, world!
 */
import { Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"

// `Effect.gen` turns this generator into a coroutine (what `@asyncio.coroutine` did).
export const func = Effect.gen(function* () {
  return "Hello, world!"
})

// `yield* func` delegates to `func` and evaluates to its return value, like `(yield from func())`.
export const main = Effect.gen(function* () {
  const greeting: string = yield* func
  yield* Console.log(greeting)
})

if (import.meta.main) run(main)
