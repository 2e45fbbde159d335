/**
 * Errors whose message is the whole story (a missing permission, a missing
 * `import.meta.main` guard): `run` prints such an error as its message alone,
 * once, rather than with a stack. The mark is a property under a global
 * symbol, so that it survives two copies of this library in one program.
 *
 * @module
 */
import process from "node:process"
import { setTimeout } from "node:timers"

const ONE_LINE = Symbol.for("effect-asyncio/one-line")

/** Marks `error` as told in one line; returns it. */
export const markOneLine = <E extends object>(error: E): E => {
  Object.defineProperty(error, ONE_LINE, { value: true })
  return error
}

/** The line to print for `error`, if it is marked as told in one line. */
export const oneLine = (error: unknown): string | undefined =>
  error instanceof Error && (error as { [ONE_LINE]?: boolean })[ONE_LINE] === true
    ? error.message
    : undefined

/**
 * Call just before rejecting a promise with `error`: if nobody handles the
 * rejection (`await run(main)` at the top level), print `line` and exit 1, as
 * the runtime would, but without the stack. The runtime reports an unhandled
 * rejection once the microtasks of this turn have run (Deno as an unhandled
 * rejection, Bun a top-level `await` as an uncaught exception): the listeners
 * stay for this turn only, and pass any other error on.
 */
export const reportIfUnhandled = (error: unknown, line: string): void => {
  const onUncaught = (reason: unknown) => {
    if (reason !== error) {
      remove()
      throw reason
    }
    console.error(line)
    process.exit(1)
  }
  const remove = () => {
    process.off("uncaughtException", onUncaught)
    process.off("unhandledRejection", onUncaught)
  }
  process.on("uncaughtException", onUncaught)
  process.on("unhandledRejection", onUncaught)
  setTimeout(remove, 0)
}
