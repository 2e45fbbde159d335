/**
 * Semaphore: at most five fetches at once, and Effect's own way to say it.
 *
 * Twenty fetches (each a 100 ms sleep standing in for a request) start at
 * once; an `asyncio.Semaphore(5)` lets five in at a time, the others wait in
 * line, first come first served. Then the same twenty with Effect's native
 * `Effect.forEach(urls, fetch, { concurrency: 5 })`. Both print how many ran
 * at the same time and how long it took (four rounds of 100 ms). Prefer:
 * - `Semaphore` when the limit belongs to a resource, not to one loop: many
 *   unrelated tasks (a crawler's, a server's handlers) share it, and the
 *   ones that come later queue behind;
 * - `forEach({ concurrency })` when you hold the whole list: no fiber is
 *   started before it may run, and results come back in order.
 *
 * Run it:  deno run recipes/bounded-concurrency.ts   |   bun recipes/bounded-concurrency.ts
 * Output (the times are a little over 400 ms on a real clock):
 *   semaphore: 20 fetches, at most 5 at once, 400 ms
 *   forEach: 20 fetches, at most 5 at once, 400 ms
 */
import { Clock, Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"
import * as Semaphore from "effect-asyncio/semaphore"

const urls = Array.from({ length: 20 }, (_, i) => `https://example.com/page/${i}`)

// A stand-in fetch that counts how many run at the same time.
const counter = () => {
  const state = { inFlight: 0, most: 0 }
  const fetch = (url: string) =>
    Effect.acquireUseRelease(
      Effect.sync(() => (state.most = Math.max(state.most, ++state.inFlight))),
      () => Effect.as(Effect.sleep("100 millis"), url.length),
      () => Effect.sync(() => state.inFlight--),
    )
  return { state, fetch }
}

// Runs `body`, then prints the most in flight and the elapsed time.
const report = (
  label: string,
  body: (fetch: (url: string) => Effect.Effect<number>) => Effect.Effect<unknown>,
) =>
  Effect.gen(function* () {
    const { state, fetch } = counter()
    const started = yield* Clock.currentTimeMillis
    yield* body(fetch)
    const ms = (yield* Clock.currentTimeMillis) - started
    yield* Console.log(`${label}: ${urls.length} fetches, at most ${state.most} at once, ${ms} ms`)
  })

export const main = Effect.gen(function* () {
  // asyncio: async with semaphore: await fetch(url), for every url, all gathered.
  const semaphore = yield* Semaphore.make(5)
  yield* report(
    "semaphore",
    (fetch) =>
      Effect.all(urls.map((url) => semaphore.withPermit(fetch(url))), { concurrency: "unbounded" }),
  )

  // Effect: the limit is a property of the loop over the list.
  yield* report("forEach", (fetch) => Effect.forEach(urls, fetch, { concurrency: 5 }))
})

if (import.meta.main) run(main)
