/**
 * Asynchronous executors — the default executor: `loop.run_in_executor(None, func, a, b)`
 * after `loop.set_default_executor(ProcessPoolExecutor())`.
 *
 * `main` asks for "the default executor" (`null`) and does not know which
 * one it is; the program chooses it once, at start-up. What to notice:
 *
 * - `runInExecutor(null, …)` reads the `DefaultExecutor` reference. Left
 *   alone it is a thread pool started lazily on first use, whose idle
 *   workers never keep the program alive.
 * - `defaultExecutorLayer(ProcessPoolExecutor.make())` is
 *   `set_default_executor` for a whole program: the layer builds a process
 *   pool, makes it the default, and shuts it down when the program ends.
 *   (`setDefaultExecutor(pool)` does the same for one region of a program.)
 *
 * Run it:  deno run --allow-read --allow-env --allow-run recipes/executor-default.ts
 *          bun recipes/executor-default.ts
 *
 * Output:
 *   Hello, world!
 */
import { Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"
import {
  defaultExecutorLayer,
  ProcessPoolExecutor,
  runInExecutor,
  workerFunction,
} from "effect-asyncio/executor"

export const func = workerFunction(import.meta.url, "func", (a: string, b: string) => a + b)

export const main = Effect.gen(function* () {
  const result = yield* runInExecutor(null, func, "Hello,", " world!")
  yield* Console.log(result)
})

// loop.set_default_executor(ProcessPoolExecutor()), for the whole program.
export const defaultExecutor = defaultExecutorLayer(ProcessPoolExecutor.make())

if (import.meta.main) run(main.pipe(Effect.provide(defaultExecutor)))
