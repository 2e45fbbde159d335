/**
 * Results as they come: `asyncio.as_completed` — the fastest fetch first.
 *
 * Ten fetches of random length (100–1000 ms) start together; `asCompleted`
 * hands back one effect per fetch, and the n-th gives the n-th result to
 * come, so the loop prints each fetch the moment it finishes, whatever its
 * place in the list. `asCompletedStream` is the same as a `Stream`. With
 * `{ timeout }`, results not in by then fail with `TimeoutError` (the fetches
 * still running are left running, as in asyncio).
 *
 * Run it:  deno run recipes/as-completed.ts   |   bun recipes/as-completed.ts
 * Output (the order changes with every run):
 *   fetch 7 finished after 131 ms
 *   fetch 2 finished after 208 ms
 *   fetch 9 finished after 263 ms
 *   …
 *   fetch 4 finished after 977 ms
 *   all 10 fetches done
 */
import { Console, Effect, Random } from "effect"
import { asCompleted } from "effect-asyncio/as-completed"
import { run } from "effect-asyncio/coroutine"

/** A fetch that takes a random 100–1000 ms and says which one it was. */
const fetch = (n: number) =>
  Effect.gen(function* () {
    const millis = yield* Random.nextIntBetween(100, 1000)
    yield* Effect.sleep(`${millis} millis`)
    return `fetch ${n} finished after ${millis} ms`
  })

export const main = Effect.gen(function* () {
  const fetches = Array.from({ length: 10 }, (_, i) => fetch(i + 1))
  // for next_done in asyncio.as_completed(fetches): print(await next_done)
  for (const nextDone of yield* asCompleted(fetches)) {
    yield* Console.log(yield* nextDone)
  }
  yield* Console.log(`all ${fetches.length} fetches done`)
})

if (import.meta.main) await run(main)
