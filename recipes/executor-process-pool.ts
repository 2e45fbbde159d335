/**
 * Asynchronous executors — `loop.run_in_executor(ProcessPoolExecutor(), func, a, b)`,
 * and what can cross to another process.
 *
 * A process pool runs tasks in child processes of the same runtime (Deno
 * runs Deno, Bun runs Bun), so a crash or a `process.exit` in a task cannot
 * take the program down. Everything sent is copied (structured clone, like
 * Python's pickling). What to notice:
 *
 * - Data crosses: strings, numbers, arrays, plain objects, `Map`, `Date`…
 * - A closure cannot, as Python cannot pickle a lambda: the task fails at
 *   once with a `NotCloneableError` that names the argument.
 * - Nor can a class instance's method (a bound method is a closure over the
 *   instance). The instance itself arrives as plain data, without its
 *   methods. To run a method in the pool, export a worker function that
 *   rebuilds the object from its data (`greet` below).
 *
 * Run it:  deno run --allow-read --allow-env --allow-run recipes/executor-process-pool.ts
 *          bun recipes/executor-process-pool.ts
 *
 * Output:
 *   Hello, world!
 *   NotCloneableError: argument 0 of executor-process-pool.ts#describe: an anonymous function could not be cloned (a function)
 *   NotCloneableError: argument 0 of executor-process-pool.ts#describe: function bound greet could not be cloned (a function)
 *   a Greeter arrives as object {"name":"world"} (greet: undefined)
 *   Hi, world!
 */
import { Console, Effect } from "effect"
import { run } from "effect-asyncio/coroutine"
import { ProcessPoolExecutor, runInExecutor, workerFunction } from "effect-asyncio/executor"

export const func = workerFunction(import.meta.url, "func", (a: string, b: string) => a + b)

export class Greeter {
  constructor(readonly name: string) {}
  greet(greeting: string): string {
    return `${greeting}, ${this.name}!`
  }
}

/** What a value looks like once it has crossed to the child. */
export const describe = workerFunction(
  import.meta.url,
  "describe",
  (value: unknown) =>
    `${typeof value} ${JSON.stringify(value)} (greet: ${typeof (value as Greeter).greet})`,
)

/** The method, as a worker function: the child rebuilds the object from its data. */
export const greet = workerFunction(
  import.meta.url,
  "greet",
  (name: string, greeting: string) => new Greeter(name).greet(greeting),
)

export const main = Effect.gen(function* () {
  const executor = yield* ProcessPoolExecutor.make()
  yield* Console.log(yield* runInExecutor(executor, func, "Hello,", " world!"))

  const closure = yield* Effect.flip(runInExecutor(executor, describe, () => "hi"))
  yield* Console.log(`${closure._tag}: ${closure.message}`)

  const greeter = new Greeter("world")
  const method = yield* Effect.flip(
    runInExecutor(executor, describe, greeter.greet.bind(greeter)),
  )
  yield* Console.log(`${method._tag}: ${method.message}`)

  yield* Console.log(`a Greeter arrives as ${yield* runInExecutor(executor, describe, greeter)}`)
  yield* Console.log(yield* runInExecutor(executor, greet, greeter.name, "Hi"))
}).pipe(Effect.scoped)

if (import.meta.main) run(main)
