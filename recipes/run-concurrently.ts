/**
 * Running coroutines concurrently — `asyncio.wait([cor1(), cor2()])`.
 *
 * `cor1` ticks ten times every 1.5 s, `cor2` fifteen times every 1 s. Waiting
 * on both runs them as two fibers on one thread: while one sleeps the other
 * runs, so their lines interleave and the whole run takes 15 s (the longer of
 * the two), not 30 s. At 3 s, 6 s, 9 s… both are due at the same instant, and
 * which prints first is not determined, as in Python.
 *
 * Run it:  deno run recipes/run-concurrently.ts [--scale 0.05]
 *          bun recipes/run-concurrently.ts [--scale 0.05]
 * `--scale` multiplies every sleep (0.05 runs it in 0.75 s, same interleaving).
 *
 * Output (scale 1):
 *   cor1 start
 *   cor2 start
 *   cor2 0        (t = 1 s)
 *   cor1 0        (t = 1.5 s)
 *   cor2 1        (t = 2 s)
 *   cor2 2        (t = 3 s, due with cor1 1)
 *   cor1 1
 *   …
 *   cor1 9        (t = 15 s, due with cor2 14)
 */
import { Console, Effect } from "effect"
import { run, wait } from "effect-asyncio/coroutine"
import process from "node:process"
import { parseArgs } from "node:util"

/** Every sleep is multiplied by `scale` (1 = the playbook's timings). */
export const cor1 = (scale = 1) =>
  Effect.gen(function* () {
    yield* Console.log("cor1 start")
    for (let i = 0; i < 10; i++) {
      yield* Effect.sleep(1500 * scale)
      yield* Console.log(`cor1 ${i}`)
    }
  })

export const cor2 = (scale = 1) =>
  Effect.gen(function* () {
    yield* Console.log("cor2 start")
    for (let i = 0; i < 15; i++) {
      yield* Effect.sleep(1000 * scale)
      yield* Console.log(`cor2 ${i}`)
    }
  })

// `wait` forks both as fibers and returns once all are done (ALL_COMPLETED).
export const main = (scale = 1) => wait([cor1(scale), cor2(scale)])

/** Reads `--scale N` from the command line; 1 when absent. */
export const parseScale = (args: ReadonlyArray<string>): number => {
  const options = { scale: { type: "string", default: "1" } } as const
  const { values } = parseArgs({ args: [...args], options })
  const scale = Number(values.scale)
  if (!(scale > 0)) throw new Error(`--scale wants a positive number, got ${values.scale}`)
  return scale
}

if (import.meta.main) run(main(parseScale(process.argv.slice(2))))
