/**
 * Asynchronous executors — `loop.run_in_executor(ThreadPoolExecutor(), func, a, b)`.
 *
 * A blocking or CPU-bound function would freeze the loop (every fiber waits
 * while it runs). asyncio hands it to a pool of threads and awaits the
 * result; here the pool is made of worker threads and awaiting it is
 * `yield*`. What to notice:
 *
 * - `func` is declared with `workerFunction(import.meta.url, "func", …)`
 *   and exported: a worker cannot receive a closure (Python cannot pickle
 *   one either), so it imports this module and calls its export `func`.
 *   Importing it is safe because the entry point is behind `import.meta.main`.
 * - The pool is a scoped resource: when `main`'s scope closes, the workers
 *   exit and the program ends on its own, like Python's `with` block.
 *
 * Run it:  deno run --allow-read recipes/executor-thread-pool.ts
 *          bun recipes/executor-thread-pool.ts
 *
 * Output:
 *   Hello, world!
 */
import { Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"
import { runInExecutor, ThreadPoolExecutor, workerFunction } from "effect-asyncio/executor"

export const func = workerFunction(import.meta.url, "func", (a: string, b: string) => {
  // Do time consuming stuff...
  return a + b
})

export const main = Effect.gen(function* () {
  const executor = yield* ThreadPoolExecutor.make()
  const result = yield* runInExecutor(executor, func, "Hello,", " world!")
  yield* Console.log(result)
}).pipe(Effect.scoped)

if (import.meta.main) run(main)
