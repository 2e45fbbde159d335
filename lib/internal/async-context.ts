/**
 * Whether Effect's fibers carry the host's async context across suspensions.
 *
 * Effect 4.1 looks up `node:async_hooks` once, when it loads, and if it finds
 * `AsyncResource` it captures one at every fiber suspension and enters it at
 * the resume. That is what lets an `AsyncLocalStorage` value (OpenTelemetry's
 * context, some loggers) set around `Effect.runFork` still be there after an
 * `Effect.sleep`. It costs an allocation and a scope switch per suspension,
 * plus the garbage (on Deno, much of what a suspension costs). `effect-asyncio/no-async-context`
 * turns it off for a whole program; {@link capturesAsyncContext} says which
 * way this program runs (`loopInfo()` reports it too). Effect's own context,
 * services, `Context.Reference`s, spans, follows fibers either way.
 *
 * @example Ask whether fibers carry AsyncLocalStorage values
 * ```ts
 * import { capturesAsyncContext } from "./async-context.ts"
 *
 * // true unless the program's entry imports "effect-asyncio/no-async-context" first
 * console.log(`fibers carry AsyncLocalStorage values: ${capturesAsyncContext()}`)
 * ```
 *
 * @module
 */
import { Effect } from "effect"
import { AsyncLocalStorage } from "node:async_hooks"

let captures: boolean | undefined

/**
 * Observed, not assumed: a fiber started inside an `AsyncLocalStorage` run,
 * suspended, and resumed from outside it; does it see the store? Measured
 * once (synchronously, a few microseconds), then cached: Effect decides this
 * when it loads and never again.
 */
const probe = (): boolean => {
  const storage = new AsyncLocalStorage<true>()
  let resume: ((effect: Effect.Effect<boolean>) => void) | undefined
  const fiber = storage.run(true, () =>
    Effect.runFork(Effect.callback<boolean>((r) => {
      resume = r
    })))
  resume?.(Effect.sync(() => storage.getStore() === true))
  const exit = fiber.pollUnsafe()
  if (exit === undefined || exit._tag !== "Success") {
    fiber.interruptUnsafe()
    throw new Error("effect-asyncio: the async-context probe's fiber did not resume synchronously")
  }
  return exit.value
}

/**
 * Whether Effect captures the async context (an `AsyncResource`) at every
 * fiber suspension in this program: `true` by default, `false` when the
 * entry imported `effect-asyncio/no-async-context` before `effect`.
 */
export const capturesAsyncContext = (): boolean => captures ??= probe()
