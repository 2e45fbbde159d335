/**
 * Coroutines with `await` — asyncio's `async def` / `await`.
 *
 * In asyncio, `main` awaits the coroutine `func` and prints what it returns.
 * In Effect a coroutine is an `Effect`, written with `Effect.gen`; inside it,
 * `yield*` plays the part of `await`. Nothing runs until `run` (our
 * `asyncio.run`) hands `main` to the runtime.
 *
 * Run it:  deno run recipes/coroutine-await.ts   |   bun recipes/coroutine-await.ts
 * Output:  Hello, world!
 */
import { Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"

// A coroutine that would do time-intensive work, then returns a value. `Effect.fn("func")`
// names it: each call gets a tracing span "func" (what it costs: bench/coroutine-await.bench.ts).
export const func = Effect.fn("func")(function* () {
  return "Hello, world!"
})

// `yield*` suspends `main` until `func` is done: the `await` of Effect.
export const main = Effect.fn("main")(function* () {
  yield* Console.log(yield* func())
})

// The `if __name__ == "__main__"` of Deno and Bun: importing this file runs nothing.
if (import.meta.main) run(main())
