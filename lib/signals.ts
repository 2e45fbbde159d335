/**
 * The loop's signal handlers, asyncio-shaped: `addSignalHandler(signal,
 * callback, ...args)` and `removeSignalHandler(signal)`, like
 * `loop.add_signal_handler` / `loop.remove_signal_handler`, on Deno
 * (`Deno.addSignalListener`) and Bun (`process.on`).
 *
 * - One handler per signal: adding one replaces the last (as in asyncio).
 * - The callback is a plain function with its arguments, called as the
 *   signal arrives, or an Effect, started then in the context of the fiber
 *   that added it. One that throws or fails goes to the loop's exception
 *   handler (`effect-asyncio/exception-handler`).
 * - The handler belongs to the caller's `Scope` (main's, under `run`): it is
 *   removed when that scope closes, and an Effect callback still running is
 *   interrupted then.
 * - While a handler holds SIGINT or SIGTERM, `run` leaves that signal to it:
 *   the program does its own graceful shutdown (and can end with
 *   {@link signalExitCode}, 130 or 143, as a program killed by it would).
 *   Without one, `run` interrupts main on either signal, runs every
 *   finalizer and exits 130 (SIGINT) or 143 (SIGTERM).
 * - A name that is not a signal, or one that cannot be caught (SIGKILL,
 *   SIGSTOP), fails with a {@link SignalError}.
 *
 * @example Take SIGUSR1 over for a region
 * ```ts
 * import { Effect } from "effect"
 * import { addSignalHandler, removeSignalHandler } from "effect-asyncio/signals"
 * import assert from "node:assert/strict"
 *
 * const removed = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   yield* addSignalHandler("SIGUSR1", () => console.log("reloading"))
 *   return yield* removeSignalHandler("SIGUSR1")
 * })))
 * assert.equal(removed, true)
 * const bad = await Effect.runPromise(Effect.flip(Effect.scoped(addSignalHandler("SIGKILL", () => {}))))
 * assert.equal(bad._tag, "SignalError")
 * ```
 *
 * @module
 */
import { Cause, Context, Data, Effect, Fiber, Scope } from "effect"
import os from "node:os"
import process from "node:process"
import { reportException } from "./loop/exception-handler.ts"
import { isFailure } from "./internal/failure.ts"

/** A signal's name, as `node:os`'s `constants.signals` spells it (`"SIGINT"`, `"SIGTERM"`, …). */
export type Signal =
  | "SIGINT"
  | "SIGTERM"
  | "SIGHUP"
  | "SIGQUIT"
  | "SIGUSR1"
  | "SIGUSR2"
  | "SIGWINCH"
  | "SIGKILL"
  | "SIGSTOP"
  | (string & Record<never, never>)

/** The signal cannot be handled: not a signal, or one nobody can catch (asyncio's `ValueError`/`RuntimeError`). */
export class SignalError extends Data.TaggedError("SignalError")<{
  readonly message: string
  readonly signal: string
}> {}

// deno-lint-ignore no-explicit-any
type Fn<Args extends ReadonlyArray<any>> = (...args: Args) => unknown

interface Registration {
  readonly listener: () => void
  readonly fibers: Set<Fiber.Fiber<unknown, unknown>>
}

const handlers = new Map<string, Registration>()

const deno = (globalThis as {
  Deno?: {
    addSignalListener(signal: string, handler: () => void): void
    removeSignalListener(signal: string, handler: () => void): void
  }
}).Deno

const listen = (signal: string, listener: () => void) =>
  deno ? deno.addSignalListener(signal, listener) : process.on(signal, listener)

const unlisten = (signal: string, listener: () => void) =>
  deno ? deno.removeSignalListener(signal, listener) : process.off(signal, listener)

const uncatchable = new Set(["SIGKILL", "SIGSTOP"])

const signalNumber = (signal: string): number | undefined =>
  (os.constants.signals as Record<string, number | undefined>)[signal]

/** The exit status of a program killed by `signal` (128 + its number: SIGINT 130, SIGTERM 143). */
export const signalExitCode = (signal: Signal): number => 128 + (signalNumber(signal) ?? 0)

/** Whether a handler added with {@link addSignalHandler} holds `signal` (`run` asks). */
export const hasSignalHandler = (signal: Signal): boolean => handlers.has(signal)

const remove = (signal: string, registration: Registration): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (handlers.get(signal) !== registration) return Effect.void
    handlers.delete(signal)
    unlisten(signal, registration.listener)
    const running = [...registration.fibers]
    return running.length === 0 ? Effect.void : Fiber.interruptAll(running)
  })

/**
 * Calls `callback` (with `args`) each time the process gets `signal`, like
 * `loop.add_signal_handler(sig, callback, *args)`, until
 * {@link removeSignalHandler} or the end of the caller's scope.
 */
export function addSignalHandler<E, R>(
  signal: Signal,
  callback: Effect.Effect<unknown, E, R>,
): Effect.Effect<void, SignalError, R | Scope.Scope>
// deno-lint-ignore no-explicit-any
export function addSignalHandler<Args extends ReadonlyArray<any>>(
  signal: Signal,
  callback: Fn<Args>,
  ...args: Args
): Effect.Effect<void, SignalError, Scope.Scope>
export function addSignalHandler(
  signal: Signal,
  // deno-lint-ignore no-explicit-any
  callback: Effect.Effect<unknown, unknown, any> | Fn<ReadonlyArray<unknown>>,
  ...args: ReadonlyArray<unknown>
  // deno-lint-ignore no-explicit-any
): Effect.Effect<void, SignalError, any> {
  return Effect.withFiber((fiber) => {
    if (signalNumber(signal) === undefined || uncatchable.has(signal)) {
      return Effect.fail(
        new SignalError({
          message: uncatchable.has(signal)
            ? `addSignalHandler: ${signal} cannot be caught`
            : `addSignalHandler: ${String(signal)} is not a signal`,
          signal: String(signal),
        }),
      )
    }
    const context = fiber.context as Context.Context<never>
    const scope = Context.get(context as Context.Context<Scope.Scope>, Scope.Scope)
    const fibers = new Set<Fiber.Fiber<unknown, unknown>>()
    const name = typeof callback === "function" ? callback.name || "<anonymous>" : "<effect>"
    const report = (cause: Cause.Cause<unknown>) =>
      reportException(context, `Exception in signal handler ${name} (${signal})`, cause)
    const listener = () => {
      if (typeof callback === "function") {
        try {
          callback(...args)
        } catch (error) {
          report(Cause.die(error))
        }
        return
      }
      const running = Effect.runForkWith(context)(callback as Effect.Effect<unknown, unknown>)
      const exit = running.pollUnsafe()
      if (exit !== undefined) {
        if (isFailure(exit)) report(exit.cause)
        return
      }
      fibers.add(running)
      running.addObserver((exit) => {
        fibers.delete(running)
        if (isFailure(exit)) report(exit.cause)
      })
    }
    const registration: Registration = { listener, fibers }
    const previous = handlers.get(signal)
    if (previous !== undefined) unlisten(signal, previous.listener)
    handlers.set(signal, registration)
    listen(signal, listener)
    return Scope.addFinalizer(scope, remove(signal, registration))
  })
}

/**
 * Removes the handler of `signal`, like `loop.remove_signal_handler(sig)`:
 * `true` if there was one. The signal goes back to `run` (SIGINT, SIGTERM)
 * or to the runtime's default.
 */
export const removeSignalHandler = (signal: Signal): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    const registration = handlers.get(signal)
    if (registration === undefined) return Effect.succeed(false)
    return Effect.as(remove(signal, registration), true)
  })
